#!/usr/bin/env bash
# Per-endpoint isolation: two subscriptions get every transition; one endpoint is a blackhole (accepts the
# connection and the request, never answers; timeout 30 s, so its max_in_flight = 4 workers stay stuck for the
# whole test and its queue grows). 100 transitions are saved one after another (each save waits only until the
# differ has logged the previous one, never for a delivery). The healthy subscription must receive all 100, each
# once, with p99 latency from the file write (before the rename) to the receiver under 2 s. Finally SIGTERM with
# the blackholed requests still in flight must exit 0 within 15 s.
source "$(dirname "$0")/lib.sh"

N=100
new_secret ISO_SECRET
new_spec_dir SPEC-KIT-205-isolation $N

start_receiver "$WORK/healthy.jsonl" "$WORK/healthy.port" "$WORK/receiver.log" --secret-env ISO_SECRET
start_scripted_receiver "$WORK/blackhole.jsonl" "$WORK/blackhole.port" "$WORK/blackhole.log" blackhole
retry=(retry.initial_backoff=50ms retry.max_backoff=200ms)
config_toml \
  -- blackhole "$(local_url "$WORK/blackhole.port")" ISO_SECRET max_in_flight=4 timeout=30s "${retry[@]}" \
  -- healthy "$(local_url "$WORK/healthy.port")" ISO_SECRET max_in_flight=4 timeout=5s "${retry[@]}" \
  > "$WORK/config.toml"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

: > "$WORK/written.txt"
for i in $(seq 1 $N); do
  echo "T$i $(date +%s%3N)" >> "$WORK/written.txt"
  task_table $N "$i" | save_atomically "$spec_dir/tasks.md"      # T$i: Backlog -> Done
  wait_until 10 file_has "$WORK/daemon.log" " T$i Backlog -> Done" || fail "the differ did not report T$i within 10 s"
done
wait_until 20 has_distinct_tasks "$WORK/healthy.jsonl" $N ||
  fail "healthy subscription got $(distinct_tasks "$WORK/healthy.jsonl") of $N transitions within 20 s of the last save"
at_least_lines "$WORK/blackhole.jsonl" 1 || fail "the blackhole endpoint never got a request: the test proves nothing"

node - "$WORK/healthy.jsonl" "$WORK/written.txt" $N <<'JS' || fail "healthy subscription latency"
const fs = require("fs");
const [out, written, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const wrote = new Map(fs.readFileSync(written, "utf8").trim().split("\n").map((l) => l.split(" ")).map(([t, ms]) => [t, Number(ms)]));
const lines = fs.readFileSync(out, "utf8").trim().split("\n").map(JSON.parse);
if (lines.length !== n) fail(`${lines.length} requests for ${n} transitions (duplicates or retries on a healthy endpoint)`);
const lat = [];
for (const l of lines) {
  if (l.verified !== true || l.status !== 200) fail(`request ${l.webhook_id}: verified ${l.verified}, status ${l.status}`);
  lat.push(Date.parse(l.received_at) - wrote.get(l.body.task.id));
}
lat.sort((a, b) => a - b);
const p = (q) => lat[Math.ceil(q * lat.length) - 1];
console.log(`healthy subscription, ${n} transitions: latency from the file write p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${lat[lat.length - 1]} ms`);
if (p(0.99) >= 2000) fail(`p99 latency ${p(0.99)} ms, want < 2000 ms while the other endpoint is blackholed`);
JS
echo "blackhole endpoint holds $(lines_in "$WORK/blackhole.jsonl") unanswered request(s)"

kill -TERM "$DAEMON_PID"
wait_until 15 daemon_exited "$DAEMON_PID" || fail "serve did not exit within 15 s of SIGTERM with blackholed requests in flight"
wait "$DAEMON_PID" || fail "serve exited with $? on SIGTERM (want 0)"
echo "isolation: OK"
