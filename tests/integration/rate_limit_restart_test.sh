#!/usr/bin/env bash
# Rate limit across restarts (issue 16 item 2, "restarts do not start with a burst"): the token bucket's state
# (sub/<name>/rate) survives a stop, so a daemon restarted at once does not send before the interval that was
# running when it stopped has passed. A Slack-like receiver answers 429 to any request that arrives less than
# 1 s after the previous one. 8 transitions to a subscription with rate_limit = "1/s" (burst 1); the daemon is
# stopped right after a request arrives and restarted at once, first with SIGTERM (it drains and exits 0), then
# with kill -9. The receiver must never see two requests within 1 s, across either restart (so no 429), and
# every transition must arrive under one webhook-id; only the request in flight at the kill -9 may arrive twice
# (same webhook-id), and its repeat obeys the rate as well. The receiver answers 300 ms after a request
# arrives, so each stop finds a request in flight: SIGTERM drains it, kill -9 leaves it to be sent again.
# The test prints how long each restart took: well under 1 s, so it is the saved bucket, not the restart,
# that holds the next request back (a daemon that started with a full bucket would send at once: 429).
source "$(dirname "$0")/lib.sh"

new_secret RR_SECRET
N=8
new_spec_dir SPEC-KIT-403-rate-restart "$N"

# Answers 300 ms after recording: a stop right after a recorded request finds it still in flight.
start_slack_receiver "$WORK/received.jsonl" "$WORK/slack.port" "$WORK/slack.log" 300

config_toml -- slack "$(local_url "$WORK/slack.port")" RR_SECRET max_in_flight=4 rate_limit=1/s \
  retry.max_attempts=10 retry.initial_backoff=100ms retry.max_backoff=2s > "$WORK/config.toml"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# restart SIGNAL: stops the daemon at once with SIGNAL, waits for it to be gone, starts it again at once.
# Sets SIGNALLED_AT to the unix ms of the signal.
restart() {
  local code=0
  SIGNALLED_AT=$(now_ms)
  kill "-$1" "$DAEMON_PID"
  wait "$DAEMON_PID" || code=$?
  if [ "$1" = TERM ] && [ "$code" != 0 ]; then fail "serve exited with $code on SIGTERM (want 0)"; fi
  if [ "$1" = KILL ] && [ "$code" != 137 ]; then fail "serve exited with $code on kill -9 (want 137)"; fi
  start_daemon "$WORK/config.toml" "$WORK/daemon.log"
  STARTS=$((STARTS + 1))
  wait_until 15 starts_at_least "$STARTS" || fail "the daemon did not start again after the $1"
  echo "restart after SIG$1: the daemon was up again within $(( $(now_ms) - SIGNALLED_AT )) ms"
}
starts_at_least() { [ "$(grep -c "admin actor listening" "$WORK/daemon.log" || true)" -ge "$1" ]; }
STARTS=1

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
task_table "$N" "$N" | save_atomically "$spec_dir/tasks.md"     # T1..T8: Backlog -> Done, one save

wait_until 20 at_least_lines "$WORK/received.jsonl" 2 || fail "the first 2 requests did not arrive"
restart TERM
term_at=$SIGNALLED_AT
wait_until 20 at_least_lines "$WORK/received.jsonl" 4 || fail "fewer than 4 requests after the SIGTERM restart"
restart KILL
kill9_at=$SIGNALLED_AT
wait_until 60 has_distinct_tasks "$WORK/received.jsonl" "$N" ||
  fail "$(distinct_tasks "$WORK/received.jsonl") of $N tasks delivered within 60 s"
echo "restarts: SIGTERM at $term_at, kill -9 at $kill9_at (unix ms)"

node - "$WORK/received.jsonl" "$N" "$term_at" "$kill9_at" <<'JS' || fail "rate limit across restarts"
const [file, n, termAt, killAt] = process.argv.slice(2).map((a, i) => (i ? Number(a) : a));
const lines = require("fs").readFileSync(file, "utf8").trim().split("\n").map(JSON.parse);
const problems = [];
const n429 = lines.filter((l) => l.status === 429);
if (n429.length) problems.push(`${n429.length} of ${lines.length} requests answered 429`);
const close = lines.filter((l, i) => i > 0 && l.received_ms - lines[i - 1].received_ms < 1000);
if (close.length) problems.push(`requests within 1 s of the previous one: gaps ${close.map((l) => l.gap_ms).join(",")} ms`);
// The requests on either side of each restart: the first one after it waits for the interval running before.
for (const [what, at] of [["SIGTERM", termAt], ["kill -9", killAt]]) {
  const i = lines.findIndex((l) => l.received_ms >= at);
  if (i <= 0) { problems.push(`no request before and after the ${what} restart`); continue; }
  console.log(`${what}: last request ${at - lines[i - 1].received_ms} ms before the signal, ` +
              `first after the restart ${lines[i].received_ms - at} ms after it (gap ${lines[i].gap_ms} ms)`);
}
// One webhook-id per task; a webhook-id seen twice only for the request in flight at the kill -9.
const idsByTask = new Map(), seen = new Map();
for (const l of lines) {
  const task = l.body && l.body.task ? l.body.task.id : null;
  if (!task || !l.webhook_id) { problems.push(`a request without a task or webhook-id: ${JSON.stringify(l)}`); continue; }
  if (!idsByTask.has(task)) idsByTask.set(task, new Set());
  idsByTask.get(task).add(l.webhook_id);
  if (seen.has(l.webhook_id)) {
    const first = seen.get(l.webhook_id);
    if (!(first < killAt && l.received_ms >= killAt))
      problems.push(`${l.webhook_id} (${task}) arrived twice, not across the kill -9 (${first}, ${l.received_ms})`);
    else console.log(`${l.webhook_id} (${task}) repeated after the kill -9 (same webhook-id: allowed)`);
  } else {
    seen.set(l.webhook_id, l.received_ms);
  }
}
if (idsByTask.size !== n) problems.push(`${idsByTask.size} distinct tasks, want ${n}`);
for (const [task, ids] of idsByTask)
  if (ids.size !== 1) problems.push(`${task} arrived under ${ids.size} webhook-ids: ${[...ids].join(", ")}`);
const dups = lines.length - seen.size;
if (dups > 1) problems.push(`${dups} repeated requests; only the one in flight at the kill -9 may repeat`);
if (problems.length) { for (const p of problems) console.error("FAIL: " + p); process.exit(1); }
const gaps = lines.slice(1).map((l) => l.gap_ms);
console.log(`rate limit across restarts: ${lines.length} requests for ${n} tasks, no 429, min gap ${Math.min(...gaps)} ms`);
JS

stop_daemon
echo "rate limit across restarts: OK"
