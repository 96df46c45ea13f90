#!/usr/bin/env bash
# Dead letters: an endpoint that always answers 500 gets exactly max_attempts (3) attempts per delivery, all under
# one webhook-id, numbered 1..3; then the delivery is a dead letter (log line, evidence record) and is never
# attempted again: not while the daemon keeps running (a later delivery also dies after 3 attempts while the
# first gets no 4th), and not after a restart against an endpoint that now answers 200 (only a new transition
# arrives there).
source "$(dirname "$0")/lib.sh"

new_secret DL_SECRET
new_spec_dir SPEC-KIT-202-dead 3

write_config() {  # write_config PORT_FILE
  config_toml -- dead "$(local_url "$1")" DL_SECRET timeout=5s \
    retry.max_attempts=3 retry.initial_backoff=50ms retry.max_backoff=200ms retry.multiplier=2.0 > "$WORK/config.toml"
}

start_receiver "$WORK/failing.jsonl" "$WORK/failing.port" "$WORK/receiver.log" --secret-env DL_SECRET --status 500
write_config "$WORK/failing.port"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

dead_count() { grep -c "moved to dead letters" "$WORK/daemon.log" || true; }
dead_at_least() { [ "$(dead_count)" -ge "$1" ]; }

task_table 3 1 | save_atomically "$spec_dir/tasks.md"     # T1 -> Done
wait_until 20 dead_at_least 1 || fail "T1 was not dead-lettered within 20 s (max_attempts = 3, backoff <= 200 ms)"
task_table 3 2 | save_atomically "$spec_dir/tasks.md"     # T2 -> Done: the sentinel, dies the same way
wait_until 20 dead_at_least 2 || fail "T2 was not dead-lettered within 20 s"

check_attempts() {  # check_attempts FILE: every task got exactly 3 attempts 1..3 (500) under one webhook-id
  node - "$1" <<'JS'
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const by = {};
for (const l of lines) (by[l.body.task.id] ||= []).push(l);
if (Object.keys(by).sort().join() !== "T1,T2") fail("tasks seen: " + Object.keys(by).join());
for (const [task, ls] of Object.entries(by)) {
  if (ls.length !== 3) fail(`${task}: ${ls.length} attempts, want max_attempts = 3`);
  if (ls.map((l) => l.attempt).join() !== "1,2,3") fail(`${task}: attempts ${ls.map((l) => l.attempt).join()}`);
  if (new Set(ls.map((l) => l.webhook_id)).size !== 1) fail(`${task}: webhook-id changed between attempts`);
  if (!ls.every((l) => l.verified === true && l.status === 500)) fail(`${task}: unverified or not answered 500`);
}
if (by.T1[0].webhook_id === by.T2[0].webhook_id) fail("T1 and T2 share a webhook-id");
JS
}
check_attempts "$WORK/failing.jsonl" || fail "attempts against the failing endpoint"

# Evidence: a record per attempt, the last of each delivery marked as dead-lettered.
evidence="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-202-dead/webhooks"
evidence_records() { cat "$evidence"/*.jsonl 2>/dev/null | grep -c . || true; }
evidence_has_6() { [ "$(evidence_records)" -ge 6 ]; }
wait_until 10 evidence_has_6 || fail "evidence holds $(evidence_records) record(s), want 6 (2 deliveries x 3 attempts)"
dead_records=$(cat "$evidence"/*.jsonl | grep -c '"outcome":"dead' || true)
[ "$dead_records" = 2 ] || fail "evidence: $dead_records dead-letter outcome(s), want 2: $(cat "$evidence"/*.jsonl)"

# Restart against a healthy endpoint: the dead letters stay dead (replay is an explicit operator action).
stop_daemon
start_receiver "$WORK/healthy.jsonl" "$WORK/healthy.port" "$WORK/receiver.log" --secret-env DL_SECRET
write_config "$WORK/healthy.port"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
task_table 3 3 | save_atomically "$spec_dir/tasks.md"     # T3 -> Done: the sentinel after the restart
wait_until 15 has_distinct_tasks "$WORK/healthy.jsonl" 1 || fail "T3 was not delivered after the restart"
got=$(node -e 'console.log(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map((l) => JSON.parse(l).body.task.id).join(" "))' "$WORK/healthy.jsonl")
[ "$got" = "T3" ] || fail "after the restart the healthy endpoint got '$got', want only 'T3' (dead letters were re-sent)"
check_attempts "$WORK/failing.jsonl" || fail "the failing endpoint got more attempts after the restart"
# T3 itself may be spooled before the deliverer starts (then it is resumed as 1 pending delivery); anything more
# can only be the two dead letters.
resumed=$(sed -n 's/.*resuming \([0-9]*\) pending.*/\1/p' "$WORK/daemon.log" | tail -n 1)
[ "${resumed:-0}" -le 1 ] || fail "dead letters were loaded as pending deliveries at restart ($resumed resumed)"

stop_daemon
echo "dead letter: OK"
