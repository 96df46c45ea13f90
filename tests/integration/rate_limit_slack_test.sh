#!/usr/bin/env bash
# Rate limit (issue 16 item 2): a Slack-like receiver answers 429 (Retry-After: 1) to any request that arrives
# less than 1 s after the previous one, 200 otherwise. 30 transitions in one save to a subscription with
# rate_limit = "1/s" and max_in_flight = 4 (four workers share one bucket) must all arrive with no 429 at
# all, each request at least 1 s after the one before. Without the limiter the burst is mostly 429s.
source "$(dirname "$0")/lib.sh"

new_secret RL_SECRET
new_spec_dir SPEC-KIT-401-rate 30

start_slack_receiver "$WORK/received.jsonl" "$WORK/slack.port" "$WORK/slack.log"
config_toml -- slack "$(local_url "$WORK/slack.port")" RL_SECRET max_in_flight=4 rate_limit=1/s \
  retry.max_attempts=10 retry.initial_backoff=100ms retry.max_backoff=2s > "$WORK/config.toml"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
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

stop_daemon
echo "rate limit: OK"
