#!/usr/bin/env bash
# Rate limit (issue 16 item 2): a Slack-like receiver answers 429 (Retry-After: 1) to any request that arrives
# less than 1 s after the previous one, 200 otherwise. 30 transitions in one save to a subscription with
# rate_limit = "1/s" and max_in_flight = 4 (four workers share one bucket) must all arrive with no 429 at
# all, each request at least 1 s after the one before. Without the limiter the burst is mostly 429s.
source "$(dirname "$0")/lib.sh"

RL_SECRET=$("$BIN" secret new) || fail "secret new failed"
export RL_SECRET
spec_dir="$WORK/repo/docs/SPEC-KIT-401-rate"
mkdir -p "$spec_dir"
task_table 30 0 | save_atomically "$spec_dir/tasks.md"

start_slack_receiver "$WORK/received.jsonl" "$WORK/slack.port" "$WORK/slack.log"

cat > "$WORK/config.toml" <<TOML
[notify]
admin = "127.0.0.1:$(free_port)"
repo = "repo"
state_dir = "state"

[[notify.subscriptions]]
name = "slack"
url = "http://127.0.0.1:$(cat "$WORK/slack.port")/hooks"
secret_env = "RL_SECRET"
max_in_flight = 4
rate_limit = "1/s"
[notify.subscriptions.retry]
max_attempts = 10
initial_backoff = "100ms"
max_backoff = "2s"
TOML

start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 file_has "$WORK/daemon.log" "baseline recorded" || fail "daemon did not record a baseline"
task_table 30 30 | save_atomically "$spec_dir/tasks.md"     # T1..T30: Backlog -> Done, one save
wait_until 90 has_distinct_tasks "$WORK/received.jsonl" 30 ||
  fail "$(distinct_tasks "$WORK/received.jsonl") of 30 tasks delivered within 90 s"

node - "$WORK/received.jsonl" <<'JS' || fail "rate limit"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n429 = lines.filter((l) => l.status === 429);
if (n429.length) { console.error(`FAIL: ${n429.length} of ${lines.length} requests answered 429 (gaps: ${n429.map((l) => l.gap_ms).join(",")} ms)`); process.exit(1); }
if (lines.length !== 30) { console.error(`FAIL: ${lines.length} requests for 30 deliveries`); process.exit(1); }
const gaps = lines.slice(1).map((l) => l.gap_ms);
console.log(`rate limit: 30 deliveries, no 429, min gap ${Math.min(...gaps)} ms, total ${lines[29].received_ms - lines[0].received_ms} ms`);
JS

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "serve exited with $? on SIGTERM (want 0)"
echo "rate limit: OK"
