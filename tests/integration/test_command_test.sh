#!/usr/bin/env bash
# `spec-notify --test`: a dry run records a signed sample (signature values redacted) in the SPEC's webhook
# evidence and sends nothing; a live test reaches a verifying receiver (`spec-notify receive --secret-env`)
# and prints "HTTP <code> in <ms> ms"; config problems exit 2 (missing secret names the variable, an invalid
# URL disables that subscription with a warning, unknown subscription or SPEC); a failing receiver exits 1.
# No secret appears in any output, log or evidence file.
source "$(dirname "$0")/lib.sh"

new_secret TC_SECRET
repo="$WORK/repo"
mkdir -p "$repo/docs/SPEC-KIT-075-webhooks"
cat >"$repo/docs/SPEC-KIT-075-webhooks/tasks.md" <<'MD'
# Tasks

| Task ID | Title | Status |
|---|---|---|
| T1 | Parse task tables | Done |
| T2 | Sign deliveries | **DONE** |
| T3 | Replay tooling | In Progress |
MD
evidence="$repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence"
mkdir -p "$evidence/commands/SPEC-KIT-075"
cat >"$evidence/commands/SPEC-KIT-075/spec-validate_2025-10-04T14:15:27Z-1.json" <<'JSON'
{"schemaVersion":1,"command":"spec-ops-validate","specId":"SPEC-KIT-075","sessionId":"2025-10-04T14:15:27Z-1",
 "timestamp":"2025-10-04T14:15:27Z","scenarios":[{"name":"unit","status":"passed"}],
 "hal":{"summary":{"status":"passed"}},"artifacts":[]}
JSON

start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env TC_SECRET
start_receiver "$WORK/failing.jsonl" "$WORK/fail.port" "$WORK/receiver.log" --status 500
config_toml \
  -- dry "$(local_url "$WORK/recv.port" "/hooks?token=dry-url-token")" TC_SECRET dry_run=true signature=both \
  -- chatops "$(local_url "$WORK/recv.port" "/hooks?token=live-url-token")" TC_SECRET signature=both \
  -- failing "$(local_url "$WORK/fail.port")" TC_SECRET \
  -- broken "ftp://127.0.0.1/hooks" TC_SECRET > "$WORK/config.toml"
cfg="$WORK/config.toml"

run() {  # run NAME ARGS...: stdout -> NAME.out, stderr -> NAME.err, exit code -> $rc
  local name=$1; shift
  set +e; "$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; rc=$?; set -e
}

echo "== dry run: evidence only, signatures redacted, nothing sent"
run dry --test SPEC-KIT-075 --subscription dry --config "$cfg"
[ "$rc" = 0 ] || fail "dry run exited $rc: $(cat "$WORK/dry.err")"
grep -q "nothing sent" "$WORK/dry.out" || fail "dry run output: $(cat "$WORK/dry.out")"
grep -q "task T2 (Done" "$WORK/dry.out" || fail "dry run should pick the last Done task T2: $(cat "$WORK/dry.out")"
dry_id=$(grep -o 'msg_[0-9A-Za-z]*' "$WORK/dry.out" | head -1)
evfile=$(ls "$evidence/commands/SPEC-KIT-075-webhooks/webhooks/"*.jsonl)
python3 - "$evfile" "$dry_id" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def fail(m): sys.exit("FAIL: " + m)
if len(lines) != 1: fail(f"want 1 evidence line, got {len(lines)}")
r = lines[0]
if r["kind"] != "dry_run" or r["delivery_id"] != sys.argv[2] or r["subscription"] != "dry": fail(str(r))
h, body = r["sample"]["headers"], r["sample"]["body"]
if h["webhook-signature"] != "[redacted]" or h["x-hub-signature-256"] != "[redacted]": fail("not redacted: " + str(h))
if h["webhook-id"] != sys.argv[2] or h["x-spec-notify-event"] != "spec-notify.test": fail("headers: " + str(h))
if "token" in r["sample"]["url"]: fail("the sample must not carry the URL query: " + r["sample"]["url"])
if body["type"] != "spec-notify.test" or body["delivery_id"] != sys.argv[2]: fail("body: " + str(body))
if body["spec"] != {"id": "SPEC-KIT-075-webhooks", "key": "SPEC-KIT-075"}: fail("spec: " + str(body["spec"]))
if body["task"]["id"] != "T2" or body["task"]["to"] != "Done" or body["task"]["from"] is not None: fail(str(body))
t = body["telemetry"]
if not t or t["command"] != "spec-ops-validate" or t["status"] != "passed": fail("telemetry: " + str(t))
PY

echo "== live: reaches the verifying receiver"
run live --test SPEC-KIT-075-webhooks --subscription chatops --config "$cfg"
[ "$rc" = 0 ] || fail "live test exited $rc: $(cat "$WORK/live.out" "$WORK/live.err")"
grep -Eq '^HTTP 200 in [0-9]+ ms$' "$WORK/live.out" || fail "live output: $(cat "$WORK/live.out")"
live_id=$(grep -o 'msg_[0-9A-Za-z]*' "$WORK/live.out" | head -1)
# The receiver writes its line before answering, so it is there now; exactly one line proves the dry run sent
# nothing (it ran first, against the same receiver).
[ "$(lines_in "$WORK/received.jsonl")" = 1 ] || fail "receiver saw $(lines_in "$WORK/received.jsonl") requests, want 1"
python3 - "$WORK/received.jsonl" "$live_id" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
if r.get("verified") is not True or r.get("webhook_id") != sys.argv[2]: sys.exit("FAIL: receiver line: " + str(r))
PY
grep -q '"kind":"test"' "$evfile" || fail "live test left no evidence record"

echo "== a failing receiver: exit 1, status printed"
run failing --test SPEC-KIT-075 --subscription failing --config "$cfg"
[ "$rc" = 1 ] || fail "test against a 500 receiver exited $rc, want 1"
grep -Eq '^HTTP 500 in [0-9]+ ms$' "$WORK/failing.out" || fail "failing output: $(cat "$WORK/failing.out")"

echo "== config and usage errors: exit 2"
set +e; env -u TC_SECRET "$BIN" --test SPEC-KIT-075 --subscription chatops --config "$cfg" \
  >"$WORK/nosecret.out" 2>"$WORK/nosecret.err"; rc=$?; set -e
[ "$rc" = 2 ] || fail "missing secret exited $rc, want 2"
grep -q "TC_SECRET" "$WORK/nosecret.err" || fail "missing secret error must name TC_SECRET: $(cat "$WORK/nosecret.err")"
run broken --test SPEC-KIT-075 --subscription broken --config "$cfg"
[ "$rc" = 2 ] || fail "invalid url subscription exited $rc, want 2"
grep -q "warning: .*invalid url, subscription disabled" "$WORK/broken.err" || fail "no invalid-url warning: $(cat "$WORK/broken.err")"
run nosub --test SPEC-KIT-075 --subscription nope --config "$cfg"
[ "$rc" = 2 ] && grep -q "no subscription named 'nope'" "$WORK/nosub.err" || fail "unknown subscription: rc $rc"
run nospec --test SPEC-KIT-999 --subscription chatops --config "$cfg"
[ "$rc" = 2 ] && grep -q "known SPEC ids: SPEC-KIT-075-webhooks" "$WORK/nospec.err" || fail "unknown SPEC: rc $rc $(cat "$WORK/nospec.err")"
run usage --test --config "$cfg"
[ "$rc" = 2 ] || fail "missing SPEC-ID exited $rc, want 2"
[ "$(lines_in "$WORK/received.jsonl")" = 1 ] || fail "an error path sent a request"

echo "== no secret anywhere"
key=${TC_SECRET#whsec_}
if grep -rqF -e "$TC_SECRET" -e "$key" "$WORK"/*.out "$WORK"/*.err "$WORK"/*.log "$repo"; then fail "secret leaked"; fi
echo "test command: OK"
