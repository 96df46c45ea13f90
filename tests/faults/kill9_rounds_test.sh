#!/usr/bin/env bash
# kill -9 at random points of a burst, several rounds. Five saves each turn 60 more tasks Backlog -> Done (300 in
# all) while a verifying receiver takes 15 ms per request. After each save the daemon is killed with SIGKILL at a
# random point - a random delay after the save (detection/routing), right after the differ logged the events, or
# after a random number of further requests - and restarted at once, so the next round starts on top of the
# previous round's leftovers. In the end every one of the 300 transitions must have been delivered (zero lost),
# a task seen more than once must carry one webhook-id every time (the only allowed duplicate), no two tasks may
# share a webhook-id, every request verifies, and every payload says Backlog -> Done (no re-detection).
# The RNG seed is printed; rerun a failure with SPEC_NOTIFY_FAULT_SEED=<seed>.
source "$(dirname "$0")/faultlib.sh"

ROUNDS=5
PER_ROUND=60
N=$((ROUNDS * PER_ROUND))
SEED=${SPEC_NOTIFY_FAULT_SEED:-$(( $(date +%s%N) / 1000 % 1000000 ))}
RANDOM=$SEED
echo "kill9 rounds: seed $SEED (rerun with SPEC_NOTIFY_FAULT_SEED=$SEED)"

new_secret K9_SECRET
spec_dir="$WORK/repo/docs/SPEC-KIT-308-kill"
mkdir -p "$spec_dir"
task_table $N 0 | save_atomically "$spec_dir/tasks.md"
start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env K9_SECRET --delay 15
{
  notify_header
  sub_block k9 "http://127.0.0.1:$(cat "$WORK/receiver.port")/hooks" K9_SECRET 5s 50 50ms 500ms
} | sed 's/^max_in_flight = 1$/max_in_flight = 4/' > "$WORK/config.toml"

start_daemon "$WORK/config.toml" "$WORK/daemon.log"
baseline_ready "$WORK/daemon.log"

events_logged() { count_in_log "$WORK/daemon.log" "differ: [0-9]* events from"; }
mid_burst=0
for round in $(seq 1 $ROUNDS); do
  upto=$((round * PER_ROUND))
  before_lines=$(lines_in "$WORK/received.jsonl")
  before_events=$(events_logged)
  task_table $N $upto | save_atomically "$spec_dir/tasks.md"
  case $((RANDOM % 3)) in
    0) ms=$((RANDOM % 400)); point="${ms} ms after the save"
       sleep "$(printf '0.%03d' "$ms")" ;;   # the random kill point itself, not a wait for a condition
    1) point="right after the differ logged the round's events"
       more_events() { [ "$(events_logged)" -gt "$before_events" ]; }
       wait_until 15 more_events || fail "round $round: the differ logged no events within 15 s" ;;
    2) k=$((1 + RANDOM % 50)); point="after $k more request(s)"
       wait_until 20 at_least_lines "$WORK/received.jsonl" $((before_lines + k)) ||
         fail "round $round: fewer than $k requests within 20 s of the save" ;;
  esac
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  got=$(distinct_tasks "$WORK/received.jsonl")
  [ "$got" -lt "$upto" ] && mid_burst=$((mid_burst + 1))
  echo "round $round: SIGKILL $point; $got of $upto tasks delivered so far, $(lines_in "$WORK/received.jsonl") requests"
  echo "--- round $round: restart after SIGKILL ($point)" >>"$WORK/daemon.log"
  start_daemon "$WORK/config.toml" "$WORK/daemon.log"
done
[ "$mid_burst" -ge 3 ] || fail "only $mid_burst of $ROUNDS kills hit an unfinished burst; the test did not crash mid-burst"

wait_until 60 has_distinct_tasks "$WORK/received.jsonl" $N ||
  fail "after the last restart only $(distinct_tasks "$WORK/received.jsonl") of $N tasks were delivered within 60 s (seed $SEED)"
# Everything arrived; the last instance must still stop cleanly.
stop_daemon

node - "$WORK/received.jsonl" $N "$SEED" <<'JS' || fail "kill -9 rounds (seed $SEED)"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const byTask = new Map(), byId = new Map();
for (const l of lines) {
  if (l.verified !== true) fail(`request ${l.webhook_id} did not verify`);
  const t = l.body.task;
  if (t.from !== "Backlog" || t.to !== "Done") fail(`${t.id}: ${t.from} -> ${t.to}, want Backlog -> Done (re-detected?)`);
  if (!byTask.has(t.id)) byTask.set(t.id, []);
  byTask.get(t.id).push(l);
  if (!byId.has(l.webhook_id)) byId.set(l.webhook_id, new Set());
  byId.get(l.webhook_id).add(t.id);
}
let dups = 0;
for (let i = 1; i <= n; i++) {
  const ls = byTask.get("T" + i);
  if (!ls || !ls.some((l) => l.status === 200)) fail(`T${i} was never delivered (lost)`);
  const ids = new Set(ls.map((l) => l.webhook_id));
  if (ids.size !== 1) fail(`T${i} arrived under ${ids.size} webhook-ids: ${[...ids].join(" ")}`);
  if (ls[0].body.delivery_id !== ls[0].webhook_id) fail(`T${i}: payload delivery_id != webhook-id`);
  dups += ls.length - 1;
}
if (byTask.size !== n) fail(`${byTask.size} distinct tasks, want ${n}`);
for (const [id, tasks] of byId) if (tasks.size !== 1) fail(`webhook-id ${id} used for tasks ${[...tasks].join(",")}`);
console.log(`all ${n} transitions delivered over 5 kill -9 rounds: ${lines.length} requests, ${dups} duplicate(s), each under its task's webhook-id`);
JS
echo "kill -9 rounds: OK"
