#!/usr/bin/env bash
# Operator commands against a real daemon: a delivery to an endpoint answering 500 becomes a dead letter;
# `--list --failed` (table and JSON) shows it; after the endpoint is fixed `--replay ID` delivers it under the
# same webhook-id; `admin` names every subscription; a wrong token is refused; an invalid config is rejected
# by SIGHUP and by the shell's `reload` while the daemon keeps running; with the daemon stopped `--list` and
# `--replay` work on the store directly (sent at the next start); a CLI that cannot reach the admin actor of a
# daemon holding the store says so (exit 1). The secret appears in no output, log or evidence file.
source "$(dirname "$0")/lib.sh"

new_secret ADM_SECRET
new_spec_dir SPEC-KIT-310-admin 3
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
ADMIN_PORT=$(free_port)
HOOK_PORT=$(free_port)

write_config() {  # write_config FILE ADMIN_PORT
  config_toml admin="127.0.0.1:$2" \
    -- hooks "http://127.0.0.1:$HOOK_PORT/hooks" ADM_SECRET timeout=2s \
    retry.max_attempts=2 retry.initial_backoff=50ms retry.max_backoff=100ms \
    -- audit_log "http://127.0.0.1:$HOOK_PORT/audit" ADM_SECRET dry_run=true > "$1"
}
CFG="$WORK/config.toml"
write_config "$CFG" "$ADMIN_PORT"
sn() { "$BIN" "$@" --config "$CFG"; }  # every operator command, output captured by the caller

start_fixed_receiver() {  # start_fixed_receiver OUT [receive options...]: on HOOK_PORT
  local out=$1; shift
  rm -f "$WORK/recv.port"
  "$BIN" receive --listen "127.0.0.1:$HOOK_PORT" --out "$out" --ready-file "$WORK/recv.port" \
    --secret-env ADM_SECRET "$@" >>"$WORK/receiver.log" 2>&1 &
  RECEIVER_PID=$!
  PIDS+=($RECEIVER_PID)
  wait_until 10 test -s "$WORK/recv.port" || fail "receiver did not start on $HOOK_PORT"
}
stop_receiver() { kill "$RECEIVER_PID"; wait "$RECEIVER_PID" 2>/dev/null || true; }

start_fixed_receiver "$WORK/failing.jsonl" --status 500
start_daemon_ready "$CFG" "$WORK/daemon.log"
wait_until 10 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
[ "$(stat -c %a "$WORK/state/admin.token")" = 600 ] || fail "admin.token is not mode 0600"

dead_count() { grep -c "moved to dead letters" "$WORK/daemon.log" || true; }
dead_at_least() { [ "$(dead_count)" -ge "$1" ]; }
task_table 3 1 | save_atomically "$spec_dir/tasks.md"  # T1 -> Done
wait_until 20 dead_at_least 1 || fail "T1 was not dead-lettered"

# --list --failed: the table and the JSON name the dead letter, its attempts and last error.
sn --list --failed > "$WORK/list.out" || fail "--list --failed exited $?"
grep -q "Dead letters: 1" "$WORK/list.out" || fail "--list --failed: $(cat "$WORK/list.out")"
grep -q "HTTP 500" "$WORK/list.out" || fail "--list --failed shows no last error: $(cat "$WORK/list.out")"
sn --list --failed --json > "$WORK/list.json" || fail "--list --json exited $?"
ID=$(node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (j.pending.length !== 0 || j.dead.length !== 1) process.exit(1);
  const d = j.dead[0];
  if (d.task !== "T1" || d.attempts !== 2 || d.last_status !== 500 || d.subscription !== "hooks") process.exit(1);
  // The export carries the payload itself, as sent (same delivery id), for a manual hand-off.
  if (!d.body || d.body.delivery_id !== d.id || d.body.task.id !== "T1" || d.body.schema_version !== 1) process.exit(1);
  console.log(d.id);' "$WORK/list.json") || fail "--list --json: $(cat "$WORK/list.json")"
grep -q "$ID" "$WORK/list.out" || fail "the table does not show $ID"

# The shell names every subscription; scripts can pipe commands into it.
printf 'status\nquit\n' | "$BIN" admin --config "$CFG" > "$WORK/status.out" || fail "admin status exited $?"
grep -q "^hooks " "$WORK/status.out" || fail "status does not name hooks: $(cat "$WORK/status.out")"
grep -q "^audit_log " "$WORK/status.out" || fail "status does not name audit_log: $(cat "$WORK/status.out")"

# A caller without the right token is refused, clearly.
cp "$WORK/state/admin.token" "$WORK/token.bak"
echo "not-the-token" > "$WORK/state/admin.token"
if sn --list > "$WORK/refused.out" 2>&1; then fail "--list with a wrong token succeeded"; fi
grep -q "refused: bad or missing admin token" "$WORK/refused.out" || fail "refusal: $(cat "$WORK/refused.out")"
cp "$WORK/token.bak" "$WORK/state/admin.token"

# Endpoint fixed: --replay ID delivers it under the same webhook-id.
stop_receiver
start_fixed_receiver "$WORK/healthy.jsonl"
sn --replay "$ID" msg_unknown > "$WORK/replay.out" && fail "--replay with an unknown id exited 0"
grep -q "$ID .*replayed" "$WORK/replay.out" || fail "--replay: $(cat "$WORK/replay.out")"
grep -q "msg_unknown .*not found" "$WORK/replay.out" || fail "--replay unknown id: $(cat "$WORK/replay.out")"
wait_until 10 has_lines "$WORK/healthy.jsonl" 1 || fail "the replay was not delivered"
node -e '
  const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")[0]);
  if (l.webhook_id !== process.argv[2] || l.verified !== true || l.status !== 200) process.exit(1);' \
  "$WORK/healthy.jsonl" "$ID" || fail "replayed delivery: $(cat "$WORK/healthy.jsonl")"
evidence="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-310-admin/webhooks"
grep -q "\"kind\":\"replay\",\"delivery_id\":\"$ID\"" "$evidence"/*.jsonl || fail "no replay evidence record"

# Reload: an invalid config is rejected (SIGHUP and shell), the daemon keeps running the old one.
cp "$CFG" "$WORK/good.toml"
echo 'no_such_key = 1' >> "$CFG"
kill -HUP "$DAEMON_PID"
wait_until 10 file_has "$WORK/daemon.log" "reload rejected" || fail "SIGHUP with an invalid config not rejected"
kill -0 "$DAEMON_PID" || fail "the daemon died on an invalid reload"
if printf 'reload\n' | "$BIN" admin --config "$WORK/good.toml" > "$WORK/reload.out"; then
  fail "shell reload of an invalid config exited 0"
fi
grep -q "reload rejected" "$WORK/reload.out" || fail "shell reload: $(cat "$WORK/reload.out")"
grep -q "no_such_key" "$WORK/reload.out" || fail "shell reload does not name the problem: $(cat "$WORK/reload.out")"
cp "$WORK/good.toml" "$CFG"
printf 'reload\n' | "$BIN" admin --config "$CFG" > "$WORK/reload.out" || fail "valid reload: $(cat "$WORK/reload.out")"
wait_until 10 file_has "$WORK/daemon.log" "admin reload: applying" || fail "valid reload not applied"
printf 'status\n' | "$BIN" admin --config "$CFG" | grep -q "^hooks " || fail "admin lost after reload"

# A CLI pointed at another admin address while the daemon holds the store: a clear error, exit 1.
write_config "$WORK/other.toml" "$(free_port)"
set +e
"$BIN" --list --config "$WORK/other.toml" > "$WORK/locked.out" 2>&1
code=$?
set -e
[ "$code" = 1 ] || fail "--list with the store held and the admin unreachable exited $code (want 1)"
grep -q "cannot reach the daemon's admin actor" "$WORK/locked.out" || fail "locked: $(cat "$WORK/locked.out")"

# Daemon stopped: --list and --replay work on the store; the replay is sent at the next start.
stop_receiver
task_table 3 2 | save_atomically "$spec_dir/tasks.md"  # T2 -> Done, endpoint down
wait_until 20 dead_at_least 2 || fail "T2 was not dead-lettered"
stop_daemon
[ ! -e "$WORK/state/admin.token" ] || fail "admin.token left behind after a clean stop"
sn --list --failed --json > "$WORK/offline.json" || fail "offline --list exited $?"
ID2=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (j.dead.length !== 1 || j.dead[0].task !== "T2") process.exit(1);
  if (!j.dead[0].body || j.dead[0].body.delivery_id !== j.dead[0].id) process.exit(1); console.log(j.dead[0].id)' \
  "$WORK/offline.json") || fail "offline --list: $(cat "$WORK/offline.json")"
sn --replay --failed --since 1h > "$WORK/offline_replay.out" || fail "offline --replay exited $?"
grep -q "$ID2 .*replayed" "$WORK/offline_replay.out" || fail "offline replay: $(cat "$WORK/offline_replay.out")"
sn --list > "$WORK/offline_list.out"
grep -q "Pending deliveries: 1" "$WORK/offline_list.out" || fail "after offline replay: $(cat "$WORK/offline_list.out")"
start_fixed_receiver "$WORK/healthy2.jsonl"
start_daemon "$CFG" "$WORK/daemon.log"
wait_until 15 has_lines "$WORK/healthy2.jsonl" 1 || fail "the offline replay was not sent at the next start"
grep -q "\"webhook_id\":\"$ID2\"" "$WORK/healthy2.jsonl" || fail "offline replay changed the webhook-id"
stop_daemon

# No secret anywhere: outputs, logs, evidence, config.
key=${ADM_SECRET#whsec_}
if grep -rqF -e "$ADM_SECRET" -e "$key" "$WORK" --exclude-dir=state; then
  fail "the secret appears in: $(grep -rlF -e "$ADM_SECRET" -e "$key" "$WORK" --exclude-dir=state)"
fi
echo "admin ops: OK"
