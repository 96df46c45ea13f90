#!/usr/bin/env python3
"""Verify a spec-notify webhook (Standard Webhooks, HMAC-SHA256) with the Python standard library only.

In a receiver: call verify() with the raw request body (bytes, before any JSON parsing) and the three
webhook-* headers; answer 401 when it returns False. Deduplicate on webhook-id (retries and replays reuse it).
As a script:
    WEBHOOK_SECRET='whsec_...' python3 verify_webhook.py ID TIMESTAMP SIGNATURE BODY_FILE
WEBHOOK_SECRET may hold several secrets separated by spaces (rotation): any one of them may match.
"""
import base64
import hashlib
import hmac
import os
import sys
import time

TOLERANCE_S = 300  # reject timestamps more than 5 minutes away from now (replay protection)


def verify(secrets, msg_id, timestamp, signature_header, body, now=None):
    now = int(time.time()) if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_S:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    for secret in secrets:
        b64 = secret.removeprefix("whsec_")
        key = base64.b64decode(b64 + "=" * (-len(b64) % 4))
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        # The header may carry several space-separated entries (one per sender secret).
        if any(hmac.compare_digest(c, expected) for c in signature_header.split()):
            return True
    return False


if __name__ == "__main__":
    msg_id, timestamp, signature, body_file = sys.argv[1:5]
    with open(body_file, "rb") as f:
        body = f.read()
    if verify(os.environ["WEBHOOK_SECRET"].split(), msg_id, timestamp, signature, body):
        print("verified")
    else:
        print("rejected")
        sys.exit(1)
