#!/usr/bin/env bash
# The Prometheus endpoint of `serve` (metrics = "127.0.0.1:PORT"): a task transition delivered to two
# subscriptions (one receiver fails its first request) shows up as events detected, attempts, successes,
# failures, an empty queue and a latency histogram; other paths are 404; scrapes still work after a SIGHUP
# reload (the endpoint follows the new pipeline); SIGTERM exits 0.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is required"

new_secret M_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-075-webhooks"
task_table 3 1 | save_atomically "$WORK/repo/docs/SPEC-KIT-075-webhooks/tasks.md"
start_receiver "$WORK/ok.jsonl" "$WORK/ok.port" "$WORK/receiver.log" --secret-env M_SECRET
start_receiver "$WORK/flaky.jsonl" "$WORK/flaky.port" "$WORK/receiver.log" --secret-env M_SECRET --fail 1
mport=$(free_port)
config_toml metrics="127.0.0.1:$mport" -- ok "$(local_url "$WORK/ok.port")" M_SECRET \
  -- flaky "$(local_url "$WORK/flaky.port")" M_SECRET retry.initial_backoff=100ms retry.max_backoff=200ms \
  > "$WORK/config.toml"

scrape() { curl -sf "http://127.0.0.1:$mport/metrics" >"$WORK/metrics.txt"; }
# metric_is LINE...: every given series line is in a fresh scrape.
metric_is() {
  scrape || return 1
  local l
  for l in "$@"; do grep -qxF -- "$l" "$WORK/metrics.txt" || return 1; done
}

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
wait_until 10 metric_is "spec_notify_up 1" "spec_notify_events_detected_total 0" \
  'spec_notify_deliveries_attempted_total{subscription="ok"} 0' || fail "first scrape: $(cat "$WORK/metrics.txt")"

task_table 3 2 | save_atomically "$WORK/repo/docs/SPEC-KIT-075-webhooks/tasks.md"
wait_until 15 metric_is 'spec_notify_deliveries_succeeded_total{subscription="ok"} 1' \
  'spec_notify_deliveries_succeeded_total{subscription="flaky"} 1' ||
  fail "deliveries not counted: $(cat "$WORK/metrics.txt")"
for l in "spec_notify_events_detected_total 1" \
  'spec_notify_deliveries_attempted_total{subscription="ok"} 1' \
  'spec_notify_deliveries_failed_total{subscription="ok"} 0' \
  'spec_notify_deliveries_attempted_total{subscription="flaky"} 2' \
  'spec_notify_deliveries_failed_total{subscription="flaky"} 1' \
  'spec_notify_deliveries_dead_lettered_total{subscription="flaky"} 0' \
  'spec_notify_queue_depth{subscription="ok"} 0' 'spec_notify_in_flight{subscription="ok"} 0' \
  'spec_notify_delivery_latency_seconds_bucket{subscription="flaky",le="+Inf"} 2' \
  'spec_notify_delivery_latency_seconds_count{subscription="ok"} 1' \
  '# TYPE spec_notify_delivery_latency_seconds histogram'; do
  grep -qxF -- "$l" "$WORK/metrics.txt" || fail "missing '$l' in: $(cat "$WORK/metrics.txt")"
done
[ "$(lines_in "$WORK/ok.jsonl")" = 1 ] || fail "ok receiver saw $(lines_in "$WORK/ok.jsonl") requests"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")
[ "$code" = 404 ] || fail "GET /other answered $code, want 404"

echo "== SIGHUP: the endpoint follows the new pipeline"
kill -HUP "$DAEMON_PID"
wait_until 10 file_has "$WORK/daemon.log" "SIGHUP: applying" || fail "reload not applied"
wait_until 10 metric_is "spec_notify_up 1" 'spec_notify_deliveries_attempted_total{subscription="ok"} 0' ||
  fail "scrape after reload: $(cat "$WORK/metrics.txt")"

stop_daemon
if grep -qF -e "$M_SECRET" "$WORK/metrics.txt" "$WORK/daemon.log"; then fail "secret leaked"; fi
echo "metrics: OK"
