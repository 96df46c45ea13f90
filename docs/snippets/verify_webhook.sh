#!/bin/sh
# Verify a spec-notify webhook (Standard Webhooks, HMAC-SHA256) with openssl, e.g. in a CI step that
# received a captured request. Plain string comparison: fine for scripts, use a constant-time compare in a
# long-running receiver. The key travels on openssl's command line (visible in `ps`): prefer the
# Python/Node/Go snippets on shared machines.
#   WEBHOOK_SECRET='whsec_...' sh verify_webhook.sh ID TIMESTAMP SIGNATURE BODY_FILE
# WEBHOOK_SECRET may hold several secrets separated by spaces (rotation): any one of them may match.
set -eu
id=$1 ts=$2 signature=$3 body_file=$4
case $ts in '' | *[!0-9]*) echo "rejected: bad timestamp"; exit 1 ;; esac
age=$(( $(date +%s) - ts ))
if [ "$age" -gt 300 ] || [ "$age" -lt -300 ]; then echo "rejected: timestamp too old or too new"; exit 1; fi
for secret in $WEBHOOK_SECRET; do
  # The HMAC key is the base64-decoded part after whsec_ (raw bytes: pass them to openssl as hex).
  hexkey=$(printf '%s\n' "${secret#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')
  expected="v1,$( { printf '%s.%s.' "$id" "$ts"; cat "$body_file"; } |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | openssl base64 -A)"
  for candidate in $signature; do
    if [ "$candidate" = "$expected" ]; then echo "verified"; exit 0; fi
  done
done
echo "rejected"
exit 1
