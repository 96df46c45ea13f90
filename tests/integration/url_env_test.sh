#!/usr/bin/env bash
# URLs that are secrets (issue 17 item 3): a subscription whose url comes from `url_env` reaches the right path
# (the receiver sees it), and that path appears nowhere the operator's tools write: the daemon log (debug
# level, a delivery, a failing attempt against a stopped receiver, a SIGHUP reload), check-config, --test
# (sent and failed), --list (online and offline), the admin shell's status, /metrics, the evidence files and the
# state dir. A second subscription with a literal url carrying a path and a ?token= query is held to the same
# rule ("and any URL's path and query"). Configuration errors about the variable name it, never its value.
source "$(dirname "$0")/lib.sh"

new_secret UE_SECRET
new_spec_dir SPEC-KIT-777-url-env 3
task_table 3 1 | save_atomically "$spec_dir/tasks.md"  # T1 Done (for --test), T2 and T3 Backlog

# The secret parts: grepped for in every output at the end.
SECRET_SEGMENT=XXXXSECRETPATH
SECRET_PATH=/services/T000/B000/$SECRET_SEGMENT
LITERAL_SEGMENT=LITERALSECRETPATH
QUERY_TOKEN=QUERYSECRETTOKEN

start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env UE_SECRET
PORT=$(cat "$WORK/recv.port")
export UE_HOOK_URL="http://127.0.0.1:$PORT$SECRET_PATH"
MPORT=$(free_port)
CFG="$WORK/config.toml"
{
  config_toml metrics="127.0.0.1:$MPORT" \
    -- literal "http://127.0.0.1:$PORT/hooks/$LITERAL_SEGMENT?token=$QUERY_TOKEN" UE_SECRET dry_run=true
  printf '[[notify.subscriptions]]\nname = "hook"\nurl_env = "UE_HOOK_URL"\nsecret_env = "UE_SECRET"\n'
  printf 'timeout = "2s"\n[notify.subscriptions.retry]\nmax_attempts = 3\ninitial_backoff = "100ms"\n'
  printf 'max_backoff = "200ms"\n'
} > "$CFG"

run() {  # run NAME ARGS...: stdout -> NAME.out, stderr -> NAME.err, exit code -> $rc
  local name=$1; shift
  set +e; "$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; rc=$?; set -e
}
both() { cat "$WORK/$1.out" "$WORK/$1.err"; }

echo "== check-config: redacted urls, the variable named"
run check check-config --config "$CFG"
[ "$rc" = 0 ] || fail "check-config exited $rc: $(both check)"
grep -qF "hook: http://127.0.0.1:$PORT/*** (url from \$UE_HOOK_URL)  [enabled]" "$WORK/check.out" ||
  fail "check-config does not show the redacted url_env url: $(both check)"
grep -qF "literal: http://127.0.0.1:$PORT/***  [enabled, dry-run]" "$WORK/check.out" ||
  fail "check-config does not show the redacted literal url: $(both check)"

echo "== configuration errors name the variable, never its value"
UE_HOOK_URL= run empty check-config --config "$CFG"
[ "$rc" = 2 ] && grep -q "config.toml:[0-9]*:[0-9]*: error: subscription 'hook': environment variable UE_HOOK_URL (url_env) is empty" "$WORK/empty.err" ||
  fail "empty variable: rc $rc $(both empty)"
env -u UE_HOOK_URL "$BIN" check-config --config "$CFG" >"$WORK/unset.out" 2>"$WORK/unset.err" && fail "unset variable accepted"
grep -q "environment variable UE_HOOK_URL (url_env) is not set" "$WORK/unset.err" || fail "unset variable: $(both unset)"
UE_HOOK_URL="127.0.0.1:$PORT$SECRET_PATH" run noscheme check-config --config "$CFG"
[ "$rc" = 2 ] && grep -q "UE_HOOK_URL (url_env) is not a valid URL: URL has no scheme" "$WORK/noscheme.err" ||
  fail "no scheme: rc $rc $(both noscheme)"
UE_HOOK_URL="gopher://127.0.0.1:$PORT$SECRET_PATH" run scheme check-config --config "$CFG"
[ "$rc" = 2 ] && grep -q "UE_HOOK_URL (url_env) is not a valid URL: not an http(s) URL" "$WORK/scheme.err" ||
  fail "wrong scheme: rc $rc $(both scheme)"
UE_HOOK_URL="http://127.0.0.1:${SECRET_SEGMENT}$SECRET_PATH" run port check-config --config "$CFG"
[ "$rc" = 2 ] && grep -q "UE_HOOK_URL (url_env) is not a valid URL: invalid port (expected 1..65535)" "$WORK/port.err" ||
  fail "bad port: rc $rc $(both port)"

echo "== --test: the test delivery reaches the secret path"
run test --test SPEC-KIT-777 --subscription hook --config "$CFG"
[ "$rc" = 0 ] || fail "--test exited $rc: $(both test)"
grep -qF "(http://127.0.0.1:$PORT/***)" "$WORK/test.out" || fail "--test does not show the redacted url: $(both test)"
wait_until 10 has_lines "$WORK/received.jsonl" 1 || fail "--test delivery did not arrive"
run testdry --test SPEC-KIT-777 --subscription literal --config "$CFG"
[ "$rc" = 0 ] || fail "--test of the dry-run subscription exited $rc: $(both testdry)"

echo "== the daemon delivers to the secret path"
SPEC_NOTIFY_LOG=debug start_daemon_ready "$CFG" "$WORK/daemon.log"
wait_until 10 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
task_table 3 2 | save_atomically "$spec_dir/tasks.md"  # T2 -> Done
wait_until 10 has_lines "$WORK/received.jsonl" 2 || fail "T2 was not delivered"
python3 - "$WORK/received.jsonl" "$SECRET_PATH" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in lines:
    if r.get("path") != sys.argv[2]: sys.exit("FAIL: delivery to %r, want %r" % (r.get("path"), sys.argv[2]))
    if r.get("verified") is not True: sys.exit("FAIL: delivery did not verify: " + str(r))
if lines[1]["body"]["task"]["id"] != "T2": sys.exit("FAIL: second delivery: " + str(lines[1]["body"]["task"]))
PY

echo "== --list, admin status, /metrics, SIGHUP reload"
run list --list --config "$CFG"
[ "$rc" = 0 ] || fail "--list exited $rc: $(both list)"
run listjson --list --json --config "$CFG"
[ "$rc" = 0 ] || fail "--list --json exited $rc: $(both listjson)"
printf 'status\nquit\n' | "$BIN" admin --config "$CFG" >"$WORK/status.out" 2>"$WORK/status.err" ||
  fail "admin status exited $?: $(both status)"
grep -q "^hook " "$WORK/status.out" || fail "status does not name hook: $(both status)"
curl -sf "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.out" || fail "metrics scrape failed"
grep -q 'subscription="hook"' "$WORK/metrics.out" || fail "metrics do not name hook"
kill -HUP "$DAEMON_PID"
wait_until 10 file_has "$WORK/daemon.log" "SIGHUP: applying the new config" || fail "the SIGHUP reload was not applied"
file_has "$WORK/daemon.log" "reload rejected" && fail "reload rejected: $(tail -5 "$WORK/daemon.log")"

echo "== a failing attempt: the receiver is down"
kill "$RECEIVER_PID"; wait "$RECEIVER_PID" 2>/dev/null || true
task_table 3 3 | save_atomically "$spec_dir/tasks.md"  # T3 -> Done
wait_until 20 file_has "$WORK/daemon.log" "moved to dead letters" || fail "T3 was not dead-lettered"
file_has "$WORK/daemon.log" "connection refused" || fail "no failed attempt logged: $(tail -20 "$WORK/daemon.log")"
run testdown --test SPEC-KIT-777 --subscription hook --config "$CFG"
[ "$rc" = 1 ] || fail "--test against a stopped receiver exited $rc, want 1: $(both testdown)"
run faillist --list --failed --config "$CFG"
[ "$rc" = 0 ] && grep -q "connection refused" "$WORK/faillist.out" || fail "--list --failed: rc $rc $(both faillist)"
stop_daemon
run offline --list --failed --json --config "$CFG"
[ "$rc" = 0 ] || fail "offline --list exited $rc: $(both offline)"

echo "== the secret path and query appear nowhere"
ls "$WORK"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/*/webhooks/*.jsonl >/dev/null ||
  fail "no evidence written"
# Everything but the receiver's own files (it is the endpoint: it saw the path) and the config (it holds the
# literal url). LevelDB files are binary: -a reads them as text.
leaks=$(grep -rlaF -e "$SECRET_SEGMENT" -e "$LITERAL_SEGMENT" -e "$QUERY_TOKEN" -e "T000/B000" "$WORK" \
  --exclude=received.jsonl --exclude=receiver.log --exclude=config.toml --exclude=recv.port || true)
[ -z "$leaks" ] || fail "the secret url path leaked into: $leaks"
echo "url_env: OK"
