#!/usr/bin/env bash
# Crash safety: one save turns 300 tasks Backlog -> Done (a 300-delivery burst to a receiver that takes 20 ms per
# request). The daemon is killed with SIGKILL once >= 40 requests arrived, i.e. in the middle of the burst, then
# restarted. Every one of the 300 tasks must be delivered; a task delivered more than once (sent, but its
# completion not yet recorded when the daemon died) must carry the same webhook-id every time, and no two tasks
# may share one. Every request verifies.
source "$(dirname "$0")/lib.sh"

N=300
KILL_AFTER=40
BURST_SECRET=$("$BIN" secret new) || fail "secret new failed"
export BURST_SECRET
spec_dir="$WORK/repo/docs/SPEC-KIT-204-burst"
mkdir -p "$spec_dir"
task_table $N 0 | save_atomically "$spec_dir/tasks.md"

start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env BURST_SECRET --delay 20
cat > "$WORK/config.toml" <<TOML
[notify]
admin = "127.0.0.1:$(free_port)"
repo = "repo"
state_dir = "state"

[[notify.subscriptions]]
name = "burst"
url = "http://127.0.0.1:$(cat "$WORK/receiver.port")/hooks"
secret_env = "BURST_SECRET"
max_in_flight = 4
timeout = "5s"
[notify.subscriptions.retry]
max_attempts = 20
initial_backoff = "50ms"
max_backoff = "500ms"
TOML

start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 file_has "$WORK/daemon.log" "baseline recorded" || fail "daemon did not record a baseline"

task_table $N $N | save_atomically "$spec_dir/tasks.md"   # all 300: Backlog -> Done, one save
wait_until 20 at_least_lines "$WORK/received.jsonl" $KILL_AFTER || fail "fewer than $KILL_AFTER deliveries within 20 s of the save"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
at_kill=$(lines_in "$WORK/received.jsonl")
echo "killed the daemon (SIGKILL) after $at_kill of $N requests"
[ "$at_kill" -lt $N ] || fail "the burst was over before the kill ($at_kill requests): the test did not crash mid-burst"
echo "--- restart after SIGKILL" >>"$WORK/daemon.log"

start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 45 has_distinct_tasks "$WORK/received.jsonl" $N ||
  fail "after the restart only $(distinct_tasks "$WORK/received.jsonl") of $N tasks were delivered within 45 s"

node - "$WORK/received.jsonl" $N <<'JS' || fail "burst deliveries"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const byTask = new Map(), byId = new Map();
for (const l of lines) {
  if (l.verified !== true) fail(`request ${l.webhook_id} did not verify`);
  const t = l.body.task;
  if (t.to !== "Done" || t.from !== "Backlog") fail(`${t.id}: ${t.from} -> ${t.to}, want Backlog -> Done`);
  if (!byTask.has(t.id)) byTask.set(t.id, []);
  byTask.get(t.id).push(l);
  if (!byId.has(l.webhook_id)) byId.set(l.webhook_id, new Set());
  byId.get(l.webhook_id).add(t.id);
}
for (let i = 1; i <= n; i++) {
  const ls = byTask.get("T" + i);
  if (!ls || !ls.some((l) => l.status === 200)) fail(`T${i} was never delivered`);
  const ids = new Set(ls.map((l) => l.webhook_id));
  if (ids.size !== 1) fail(`T${i} arrived under ${ids.size} webhook-ids: ${[...ids].join(" ")}`);
  if (ls[0].body.delivery_id !== ls[0].webhook_id) fail(`T${i}: payload delivery_id != webhook-id`);
}
if (byTask.size !== n) fail(`${byTask.size} distinct tasks delivered, want ${n}`);
for (const [id, tasks] of byId) if (tasks.size !== 1) fail(`webhook-id ${id} used for tasks ${[...tasks].join(",")}`);
const dups = lines.length - n;
console.log(`all ${n} tasks delivered, ${lines.length} requests, ${dups} duplicate(s), each under its task's webhook-id`);
JS

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "serve exited with $? on SIGTERM (want 0)"
echo "crash burst: OK"
