// Verify a spec-notify webhook (Standard Webhooks, HMAC-SHA256) with node:crypto only.
//
// In a receiver: call verify() with the raw request body (a Buffer, before JSON.parse) and the three
// webhook-* headers; answer 401 when it returns false. Deduplicate on webhook-id (retries reuse it).
// (The npm package `standardwebhooks` does the same: new Webhook(secret).verify(body, headers).)
// As a script:
//   WEBHOOK_SECRET='whsec_...' node verify_webhook.js ID TIMESTAMP SIGNATURE BODY_FILE
// WEBHOOK_SECRET may hold several secrets separated by spaces (rotation): any one of them may match.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");

const TOLERANCE_S = 300; // reject timestamps more than 5 minutes away from now (replay protection)

function verify(secrets, msgId, timestamp, signatureHeader, body, now = Math.floor(Date.now() / 1000)) {
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_S) return false;
  const candidates = signatureHeader.split(" ").map((c) => Buffer.from(c));
  for (const secret of secrets) {
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    const mac = crypto.createHmac("sha256", key).update(`${msgId}.${timestamp}.`).update(body);
    const expected = Buffer.from("v1," + mac.digest("base64"));
    if (candidates.some((c) => c.length === expected.length && crypto.timingSafeEqual(c, expected))) return true;
  }
  return false;
}
module.exports = { verify };

if (require.main === module) {
  const [msgId, timestamp, signature, bodyFile] = process.argv.slice(2);
  const secrets = (process.env.WEBHOOK_SECRET || "").split(/\s+/).filter(Boolean);
  const ok = verify(secrets, msgId, timestamp, signature, fs.readFileSync(bodyFile));
  console.log(ok ? "verified" : "rejected");
  process.exit(ok ? 0 : 1);
}
