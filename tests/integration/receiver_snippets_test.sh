#!/usr/bin/env bash
# The receiver verification snippets of docs/operations.md (docs/snippets/verify_webhook.{py,js,go,sh}) run
# against a real request signed by spec-notify: `spec-notify --test` delivers to a capturing receiver that
# saves the raw headers and body; every snippet must accept it, and reject a tampered body, a wrong secret and
# a stale timestamp. Also checks that docs/operations.md embeds each snippet verbatim.
# Needs python3, node, openssl and go (Debian: golang-go; deploy/setup.sh --tests installs it).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TEST_DIR/.." && pwd)
SNIPPETS="$ROOT/docs/snippets"
for tool in python3 node openssl go; do
  command -v "$tool" >/dev/null || fail "$tool is required to run the $tool snippet (deploy/setup.sh --tests)"
done

echo "== docs/operations.md embeds every snippet verbatim"
python3 - "$ROOT/docs/operations.md" "$SNIPPETS" <<'PY'
import os, re, sys
doc = open(sys.argv[1]).read()
for name in sorted(os.listdir(sys.argv[2])):
    m = re.search(r"<!-- snippet: docs/snippets/" + re.escape(name) + r" -->\n```[a-z]*\n(.*?)```\n", doc, re.S)
    if not m: sys.exit(f"FAIL: docs/operations.md does not include docs/snippets/{name}")
    if m.group(1) != open(os.path.join(sys.argv[2], name)).read():
        sys.exit(f"FAIL: docs/operations.md differs from docs/snippets/{name}")
PY

echo "== capture a real signed request from spec-notify --test"
cat >"$WORK/capture.py" <<'PY'
import http.server, json, os, sys
out, port_file = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        with open(os.path.join(out, "body.bin"), "wb") as f: f.write(body)
        with open(os.path.join(out, "headers.json"), "w") as f:
            json.dump({k.lower(): v for k, v in self.headers.items()}, f)
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f: f.write(str(s.server_address[1]))
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
PY
mkdir -p "$WORK/cap"
python3 "$WORK/capture.py" "$WORK/cap" "$WORK/cap.port" >"$WORK/capture.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/cap.port" || fail "capturing receiver did not start"
mkdir -p "$WORK/repo/docs/SPEC-KIT-075-webhooks"
task_table 2 1 >"$WORK/repo/docs/SPEC-KIT-075-webhooks/tasks.md"
# Two secrets (rotation): the request carries two v1 entries; the snippets get only the older one.
OLD=$("$BIN" secret new)
export SNIP_SECRETS="$("$BIN" secret new) $OLD"
config_toml state_dir= -- capture "$(local_url "$WORK/cap.port")" SNIP_SECRETS > "$WORK/config.toml"
"$BIN" --test SPEC-KIT-075 --subscription capture --config "$WORK/config.toml" >"$WORK/test.log" 2>&1 ||
  fail "spec-notify --test failed: $(cat "$WORK/test.log")"
h() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/cap/headers.json" "$1"; }
id=$(h webhook-id) ts=$(h webhook-timestamp) sig=$(h webhook-signature)
[ "$(wc -w <<<"$sig")" = 2 ] || fail "expected two signature entries"
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b.replace(b"\"schema_version\":1", b"\"schema_version\":2", 1))' \
  "$WORK/cap/body.bin" "$WORK/cap/tampered.bin"
cmp -s "$WORK/cap/body.bin" "$WORK/cap/tampered.bin" && fail "tampering did not change the body"

mkdir -p "$WORK/go"
export GOCACHE="$WORK/go/cache" GOPATH="$WORK/go/path" GO111MODULE=off
go build -o "$WORK/go/verify_webhook" "$SNIPPETS/verify_webhook.go" || fail "go build of the Go snippet"
declare -A runner=(
  [python]="python3 $SNIPPETS/verify_webhook.py"
  [node]="node $SNIPPETS/verify_webhook.js"
  [go]="$WORK/go/verify_webhook"
  [shell]="sh $SNIPPETS/verify_webhook.sh"
)
stale=$((ts - 600))
for lang in python node go shell; do
  echo "== $lang snippet"
  cmd=${runner[$lang]}
  out=$(WEBHOOK_SECRET="$OLD" $cmd "$id" "$ts" "$sig" "$WORK/cap/body.bin") || fail "$lang rejected a genuine request: $out"
  [ "$out" = verified ] || fail "$lang printed '$out'"
  WEBHOOK_SECRET="$OLD" $cmd "$id" "$ts" "$sig" "$WORK/cap/tampered.bin" >/dev/null && fail "$lang accepted a tampered body"
  WEBHOOK_SECRET="$("$BIN" secret new)" $cmd "$id" "$ts" "$sig" "$WORK/cap/body.bin" >/dev/null &&
    fail "$lang accepted a wrong secret"
  WEBHOOK_SECRET="$OLD" $cmd "$id" "$stale" "$sig" "$WORK/cap/body.bin" >/dev/null && fail "$lang accepted a stale timestamp"
  WEBHOOK_SECRET="$OLD" $cmd "msg_other" "$ts" "$sig" "$WORK/cap/body.bin" >/dev/null && fail "$lang accepted another webhook-id"
done
echo "receiver snippets: OK"
