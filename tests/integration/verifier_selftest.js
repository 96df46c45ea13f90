#!/usr/bin/env node
// Proves verifier.js (and the two npm verifiers behind it) against the published test vectors
// (docs: webhook-anchors.md) before any test trusts its verdicts on spec-notify's deliveries.
//   node verifier_selftest.js      -> exit 0 and "verifier selftest: ok", or exit 1 naming the failed check
"use strict";

const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { Webhook } = require("standardwebhooks");

const STD = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const GH = {
  secret: "mysecret",
  body: '{"foo":"bar"}',
  signature: "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
};

function post(port, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/hook", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Resolves once `file` exists, checking whenever its directory changes (bounded by `ms`).
function waitForFile(file, ms) {
  return new Promise((resolve, reject) => {
    const check = () => fs.existsSync(file) && (clearTimeout(timer), watcher.close(), resolve());
    const watcher = fs.watch(path.dirname(file), check);
    const timer = setTimeout(() => (watcher.close(), reject(new Error(`${file} did not appear in ${ms} ms`))), ms);
    check();
  });
}

async function main() {
  // 1. The libraries themselves agree with the published vectors.
  const wh = new Webhook(STD.secret);
  assert.equal(wh.sign(STD.id, new Date(STD.timestamp * 1000), STD.body), STD.signature, "standardwebhooks sign");
  const octokit = await import("@octokit/webhooks-methods"); // ESM-only package
  assert.equal(await octokit.sign(GH.secret, GH.body), GH.signature, "octokit sign");
  assert.equal(await octokit.verify(GH.secret, GH.body, GH.signature), true, "octokit verify");

  // 2. verifier.js over real loopback HTTP, clock pinned to the vector's timestamp.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verifier-selftest-"));
  const ready = path.join(dir, "port");
  const out = path.join(dir, "out.jsonl");
  const child = spawn(
    process.execPath,
    [path.join(__dirname, "verifier.js"), "--secret-env", "SELFTEST_SECRETS", "--ready-file", ready, "--out", out,
     "--now-unix", String(STD.timestamp), "--max-requests", "4"],
    { env: { ...process.env, SELFTEST_SECRETS: `${STD.secret} ${GH.secret}` }, stdio: ["ignore", "inherit", "inherit"] },
  );
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await waitForFile(ready, 10000);
    const port = Number(fs.readFileSync(ready, "utf8").trim());
    const stdHeaders = { "webhook-id": STD.id, "webhook-timestamp": String(STD.timestamp), "webhook-signature": STD.signature };

    assert.equal(await post(port, stdHeaders, STD.body), 200, "standard vector accepted");
    assert.equal(await post(port, { "x-hub-signature-256": GH.signature }, GH.body), 401,
                 "github-only request lacks the standard headers");
    assert.equal(await post(port, stdHeaders, '{"test": 2432232315}'), 401, "tampered body rejected");
    assert.equal(await post(port, { ...stdHeaders, "x-hub-signature-256": GH.signature }, STD.body), 401,
                 "valid standard signature but wrong github signature");
    assert.equal(await exited, 0, "verifier exits 0 after --max-requests");

    const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0], { webhook_id: STD.id, standard_verified: true, github_verified: null, status: 200,
                                 body: { test: 2432232314 } });
    assert.deepEqual(lines[1], { webhook_id: null, standard_verified: false, github_verified: true, status: 401,
                                 body: { foo: "bar" } });
    assert.equal(lines[2].standard_verified, false);
    assert.equal(lines[3].standard_verified, true);
    assert.equal(lines[3].github_verified, false);
    const text = fs.readFileSync(out, "utf8");
    for (const secretish of [STD.secret, GH.secret, STD.signature, GH.signature])
      assert.ok(!text.includes(secretish), "output leaks no secret or signature");
  } finally {
    child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log("verifier selftest: ok");
}

main().catch((err) => {
  console.error(`verifier selftest FAILED: ${err.message}`);
  process.exit(1);
});
