#!/usr/bin/env bash
# Chat formats (issue 17 item 1), end to end: four unsigned subscriptions (slack from url_env, discord, teams,
# google-chat, no secret_env) get a --test delivery and real transitions of a 2 KB title full of emoji,
# mention markup and invalid UTF-8; a receiver that parses each body as that service would
# (tests/integration/chat_receiver.py) accepts every one within the service's limits, with no signature
# headers. A second Slack subscription's endpoint refuses connections (failed attempts, a dead letter). Then
# the Slack url_env path (the credential) is grepped for in every output: the daemon log (debug), check-config,
# --test, --list (online, failed, offline), the admin shell's status, /metrics, evidence and state.
source "$(dirname "$0")/lib.sh"

SECRET_SEGMENT=SLACKSECRETPATH
python3 "$TEST_DIR/integration/chat_receiver.py" "$WORK/received.jsonl" "$WORK/recv.port" >"$WORK/receiver.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/recv.port" || fail "chat receiver did not start"
PORT=$(cat "$WORK/recv.port")
export CHAT_SLACK_URL="http://127.0.0.1:$PORT/slack/services/T000/B000/$SECRET_SEGMENT"
# A second Slack subscription whose endpoint refuses connections: its failed attempts and dead letters are
# logged and listed, and must not show the path either.
export CHAT_SLACK_DOWN_URL="http://127.0.0.1:$(free_port)/slack/services/T000/B000/$SECRET_SEGMENT"

spec_dir="$WORK/repo/docs/SPEC-KIT-321-chat"
mkdir -p "$spec_dir"
# tasks.md: T1 (2 KB hostile title) and T2 Backlog; STATUS1/STATUS2 are replaced to make transitions.
python3 - "$spec_dir/tasks.md" Backlog Backlog <<'PY'
import sys
title = b""
while len(title) < 2048:
    title += "Ship \U0001F680 <!channel> @everyone <users/all> & \"q\" \\ ".encode() + b"\xff\xc3 "
rows = [b"| Task ID | Title | Status |", b"|---|---|---|",
        b"| T1 | " + title + b" | " + sys.argv[2].encode() + b" |",
        b"| T2 | Plain title | " + sys.argv[3].encode() + b" |"]
open(sys.argv[1] + ".tmp", "wb").write(b"# Tasks\n\n" + b"\n".join(rows) + b"\n")
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PY

MPORT=$(free_port)
CFG="$WORK/config.toml"
{
  config_toml metrics="127.0.0.1:$MPORT"
  printf '[[notify.subscriptions]]\nname = "slack"\nurl_env = "CHAT_SLACK_URL"\nformat = "slack"\n'
  printf '[[notify.subscriptions]]\nname = "slackdown"\nurl_env = "CHAT_SLACK_DOWN_URL"\nformat = "slack"\n'
  printf 'timeout = "2s"\n[notify.subscriptions.retry]\nmax_attempts = 2\ninitial_backoff = "100ms"\n'
  printf 'max_backoff = "200ms"\n'
  for f in discord teams google-chat; do
    printf '[[notify.subscriptions]]\nname = "%s"\nurl = "http://127.0.0.1:%s/%s/hook"\nformat = "%s"\n' \
      "$f" "$PORT" "$f" "$f"
  done
} > "$CFG"

run() {  # run NAME ARGS...: stdout -> NAME.out, stderr -> NAME.err, exit code -> $rc
  local name=$1; shift
  set +e; "$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; rc=$?; set -e
}
both() { cat "$WORK/$1.out" "$WORK/$1.err"; }

echo "== check-config: four unsigned chat subscriptions, no secret needed"
run check check-config --config "$CFG"
[ "$rc" = 0 ] || fail "check-config exited $rc: $(both check)"
for f in slack discord teams google-chat; do
  grep -qF "body: $f (built-in template); content-type: application/json" "$WORK/check.out" ||
    fail "check-config does not describe the $f body: $(both check)"
done
grep -qF "secrets: none, unsigned (no signature key)" "$WORK/check.out" || fail "not shown unsigned: $(both check)"
grep -q "warning" "$WORK/check.err" && fail "check-config warned: $(both check)"
grep -qF "slackdown: http://127.0.0.1:" "$WORK/check.out" || fail "check-config does not show slackdown: $(both check)"

echo "== --test of each format reaches the receiver and parses"
for f in slack discord teams google-chat; do
  run "test-$f" --test SPEC-KIT-321 --subscription "$f" --config "$CFG"
  [ "$rc" = 0 ] || fail "--test $f exited $rc: $(both "test-$f")"
done
wait_until 10 has_lines "$WORK/received.jsonl" 4 || fail "the --test deliveries did not all arrive"

echo "== the daemon: T1 (2 KB title) and T2 -> Done, to every format"
SPEC_NOTIFY_LOG=debug start_daemon_ready "$CFG" "$WORK/daemon.log"
wait_until 10 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
python3 - "$spec_dir/tasks.md" Done Done <<'PY'
import sys, os
text = open(sys.argv[1], "rb").read().replace(b"| Backlog |", b"| Done |")
open(sys.argv[1] + ".tmp", "wb").write(text); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PY
wait_until 30 has_lines "$WORK/received.jsonl" 12 || fail "not every transition was delivered: $(line_count "$WORK/received.jsonl") of 12"
wait_until 20 file_has "$WORK/daemon.log" "moved to dead letters" || fail "slackdown was not dead-lettered"
file_has "$WORK/daemon.log" "connection refused" || fail "no failed attempt logged: $(tail -20 "$WORK/daemon.log")"
run list --list --config "$CFG"
[ "$rc" = 0 ] || fail "--list exited $rc: $(both list)"
run faillist --list --failed --config "$CFG"
[ "$rc" = 0 ] && grep -q "connection refused" "$WORK/faillist.out" || fail "--list --failed: rc $rc $(both faillist)"
printf 'status\nquit\n' | "$BIN" admin --config "$CFG" >"$WORK/status.out" 2>"$WORK/status.err" ||
  fail "admin status exited $?: $(both status)"
grep -q "^slack " "$WORK/status.out" || fail "status does not name slack: $(both status)"
curl -sf "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.out" || fail "metrics scrape failed"
grep -q 'subscription="slack"' "$WORK/metrics.out" || fail "metrics do not name slack"
stop_daemon
run offline --list --failed --json --config "$CFG"
[ "$rc" = 0 ] || fail "offline --list exited $rc: $(both offline)"

python3 - "$WORK/received.jsonl" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
seen = {}
for r in records:
    where = "%s %s" % (r["flavour"], r["webhook_id"])
    if r["problems"]: sys.exit("FAIL: %s rejected as the service would: %s\n%s" % (where, r["problems"], r["raw"][:600]))
    if r["content_type"] != "application/json": sys.exit("FAIL: %s content-type %r" % (where, r["content_type"]))
    if r["signature"] or r["hub_signature"]: sys.exit("FAIL: %s carries a signature header" % where)
    if r["schema"]: sys.exit("FAIL: %s claims x-spec-notify-schema %r" % (where, r["schema"]))
    seen.setdefault(r["flavour"], []).append(r)
for f in ("slack", "discord", "teams", "google-chat"):
    got = seen.get(f, [])
    if len(got) != 3: sys.exit("FAIL: %s got %d deliveries, want 3 (test, T1, T2)" % (f, len(got)))
    text = " ".join(r["raw"] for r in got)
    for part in ("T1", "T2", "Plain title", "SPEC-KIT-321", "\U0001F680", "Done"):
        if part not in json.dumps([r["body"] for r in got], ensure_ascii=False):
            sys.exit("FAIL: %s messages do not show %r" % (f, part))
    if "\u2026" not in json.dumps([r["body"] for r in got], ensure_ascii=False):
        sys.exit("FAIL: %s: the 2 KB title was not cut with an ellipsis" % f)
slack = json.dumps([r["body"] for r in seen["slack"]])
if "<!channel>" in slack: sys.exit("FAIL: slack message would ping @channel")
print("chat bodies: %d deliveries, every one valid for its service" % len(records))
PY

echo "== the Slack url_env path appears nowhere"
ls "$WORK"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/*/webhooks/*.jsonl >/dev/null ||
  fail "no evidence written"
leaks=$(grep -rlaF -e "$SECRET_SEGMENT" -e "T000/B000" "$WORK" \
  --exclude=received.jsonl --exclude=receiver.log --exclude=recv.port || true)
[ -z "$leaks" ] || fail "the Slack webhook path leaked into: $leaks"
echo "chat formats: OK"
