#!/usr/bin/env node
// Independent webhook verifier for integration tests: checks spec-notify's deliveries with the official npm
// verifiers instead of our own C++ code.
//
//   node verifier.js --secret-env VAR --ready-file F --out F [--port N] [--max-requests N] [--now-unix S]
//                    [--github-secret-env GVAR]
//
// VAR holds one or more secrets, space-separated (as in spec-notify's secret_env); GVAR holds one GitHub-style
// secret taken whole, spaces kept (as in github_secret_env), tried on x-hub-signature-256 before VAR's. Each POST is checked with
// `new Webhook(secret).verify(body, headers)` from `standardwebhooks` and, when x-hub-signature-256 is present,
// with `verify(secret, body, signature)` from `@octokit/webhooks-methods`; a request verifies when any secret
// does. Answers 200 when every present signature verifies, else 401, and appends one JSON line per request to
// --out: {webhook_id, standard_verified, github_verified (null without the header), status, body}.
// Listens on 127.0.0.1 only; writes the bound port to --ready-file (atomically) once listening.
// --now-unix pins the verifier's clock (tests replaying the published vector from 2021 need it).
// Exits 0 on SIGTERM/SIGINT or after --max-requests answers. Never prints secrets or signature values.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const { Webhook } = require("standardwebhooks"); // CommonJS package

function parseArgs(argv) {
  const opts = { port: 0, maxRequests: 0 };
  const names = {
    "--port": "port",
    "--ready-file": "readyFile",
    "--out": "out",
    "--secret-env": "secretEnv",
    "--max-requests": "maxRequests",
    "--now-unix": "nowUnix",
    "--github-secret-env": "githubSecretEnv",
  };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) usage(`bad argument '${argv[i]}'`);
    opts[key] = argv[++i];
  }
  for (const k of ["port", "maxRequests", "nowUnix"])
    if (opts[k] !== undefined) {
      if (!/^\d+$/.test(String(opts[k]))) usage(`${k} must be a non-negative integer`);
      opts[k] = Number(opts[k]);
    }
  if (!opts.readyFile || !opts.out || !opts.secretEnv) usage("--ready-file, --out and --secret-env are required");
  return opts;
}

function usage(msg) {
  process.stderr.write(
    `verifier.js: ${msg}\nusage: node verifier.js --secret-env VAR --ready-file F --out F ` +
      "[--port N] [--max-requests N] [--now-unix S]\n",
  );
  process.exit(2);
}

function verifyStandard(secrets, body, headers) {
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch (_) {
      // wrong secret, stale timestamp, bad header, or a secret that is not base64: try the next one
    }
  }
  return false;
}

async function verifyGithub(githubVerify, secrets, body, signature) {
  for (const secret of secrets) {
    try {
      if (await githubVerify(secret, body, signature)) return true;
    } catch (_) {
      // empty body or secret: not verifiable
    }
  }
  return false;
}

function parseBody(text) {
  try {
    return JSON.parse(text);
  } catch (_) {
    return text;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const secrets = (process.env[opts.secretEnv] || "").split(/\s+/).filter(Boolean);
  if (secrets.length === 0) usage(`environment variable ${opts.secretEnv} is empty or not set`);
  const githubSecrets = [...secrets];
  if (opts.githubSecretEnv !== undefined) {
    const value = process.env[opts.githubSecretEnv];
    if (!value) usage(`environment variable ${opts.githubSecretEnv} is empty or not set`);
    githubSecrets.unshift(value);
  }
  if (opts.nowUnix !== undefined) Date.now = () => opts.nowUnix * 1000;
  // @octokit/webhooks-methods ships ESM only: load it with import(), not require().
  const { verify: githubVerify } = await import("@octokit/webhooks-methods");

  let answered = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const standard = verifyStandard(secrets, body, req.headers);
      const githubHeader = req.headers["x-hub-signature-256"];
      const github =
        githubHeader === undefined ? null : await verifyGithub(githubVerify, githubSecrets, body, githubHeader);
      const status = standard && github !== false ? 200 : 401;
      const line = {
        webhook_id: req.headers["webhook-id"] ?? null,
        standard_verified: standard,
        github_verified: github,
        status,
        body: parseBody(body),
      };
      fs.appendFileSync(opts.out, JSON.stringify(line) + "\n"); // before answering: the sender may read it next
      res.writeHead(status, { "content-type": "application/json" });
      const last = opts.maxRequests > 0 && ++answered >= opts.maxRequests;
      res.end(JSON.stringify({ status }), () => last && shutdown()); // after the answer is flushed
    });
  });

  function shutdown() {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  }
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  server.listen(opts.port, "127.0.0.1", () => {
    const tmp = `${opts.readyFile}.tmp`;
    fs.writeFileSync(tmp, `${server.address().port}\n`);
    fs.renameSync(tmp, opts.readyFile);
  });
}

main().catch((err) => {
  process.stderr.write(`verifier.js: ${err.message}\n`);
  process.exit(1);
});
