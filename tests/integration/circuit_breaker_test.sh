#!/usr/bin/env bash
# Circuit breaker (issue 16 item 3): 20 transitions to an endpoint that refuses connections for 20 s, with
# max_attempts = 5 (backoff <= 300 ms: without a breaker every delivery is a dead letter within ~2 s) and a
# breaker that opens after 3 consecutive failures and probes every second. While down: nothing dead-letters,
# admin status, metrics and `--list` (text and JSON) show the open circuit and since when; `--list` does so
# from the store too while the daemon is stopped, and again from the restarted daemon, which keeps the circuit
# open. Once a receiver listens on the port every delivery arrives within a few probe intervals, the log has
# exactly one "circuit OPEN" and one "circuit CLOSED" line, and `--list` shows no open circuit any more.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is required"

new_secret CB_SECRET
new_spec_dir SPEC-KIT-402-breaker 20

port=$(free_port)     # nothing listens here yet: connection refused
mport=$(free_port)
config_toml metrics="127.0.0.1:$mport" -- down "http://127.0.0.1:$port/hooks" CB_SECRET timeout=2s \
  retry.max_attempts=5 retry.initial_backoff=50ms retry.max_backoff=300ms \
  breaker.failures=3 breaker.after=10m breaker.probe=1s > "$WORK/config.toml"

SPEC_NOTIFY_LOG=debug start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
down_since=$(date +%s)
task_table 20 20 | save_atomically "$spec_dir/tasks.md"     # T1..T20 -> Done
wait_until 15 file_has "$WORK/daemon.log" "circuit OPEN" || fail "the circuit did not open"

# While the circuit is open: state in admin status and metrics, probes (not counted) going out.
printf 'status\nquit\n' | "$BIN" admin --config "$WORK/config.toml" > "$WORK/status.out" || fail "admin status exited $?"
grep -q "^down .*circuit open.*circuit open since" "$WORK/status.out" || fail "admin status: $(cat "$WORK/status.out")"
curl -sf "http://127.0.0.1:$mport/metrics" > "$WORK/metrics.txt" || fail "metrics scrape failed"
grep -q '^spec_notify_circuit_open{subscription="down"} 1$' "$WORK/metrics.txt" ||
  fail "metrics: $(grep circuit "$WORK/metrics.txt")"
probes() { grep -c "circuit open: not counted" "$WORK/daemon.log" || true; }
probes_at_least() { [ "$(probes)" -ge "$1" ]; }
wait_until 15 probes_at_least 8 || fail "only $(probes) uncounted attempt(s) while open"

# --list while open: one line naming the circuit and since when, above the tables (the daemon's deliverer).
circuit_line='^circuit OPEN for down since [0-9T:-]*Z ([0-9]*[smhd] ago): pending deliveries wait for a probe and do not use up attempts$'
list_out() { "$BIN" --list "$@" --config "$WORK/config.toml" > "$WORK/list.out" 2>"$WORK/list.err" || fail "--list $* exited $?: $(cat "$WORK/list.err")"; }
list_out
grep -q "$circuit_line" "$WORK/list.out" || fail "--list while open: $(cat "$WORK/list.out")"
grep -q "^Pending deliveries: 20$" "$WORK/list.out" || fail "--list while open: $(cat "$WORK/list.out")"
since=$(sed -n 's/^circuit OPEN for down since \([^ ]*\) .*/\1/p' "$WORK/list.out")
list_out --failed --subscription down
grep -q "$circuit_line" "$WORK/list.out" || fail "--list --failed --subscription down while open: $(cat "$WORK/list.out")"
list_out --subscription other
! grep -q "circuit" "$WORK/list.out" || fail "--list --subscription other names a circuit: $(cat "$WORK/list.out")"
json_circuits() {  # json_circuits WANT: the "circuits" member of --list --json is WANT (a JSON text)
  "$BIN" --list --json --config "$WORK/config.toml" > "$WORK/list.json" || fail "--list --json exited $?"
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const keys = Object.keys(j).join(",");
    if (keys !== "pending,dead,circuits") { console.error("members: " + keys); process.exit(1); }
    if (JSON.stringify(j.circuits) !== process.argv[2]) { console.error(JSON.stringify(j.circuits)); process.exit(1); }' \
    "$WORK/list.json" "$1" || fail "--list --json circuits, want $1"
}
json_circuits "[{\"subscription\":\"down\",\"state\":\"open\",\"since\":\"$since\"}]"

# Daemon stopped: --list reads sub/down/breaker from the store; restarted, the daemon keeps the circuit open.
stop_daemon
list_out
grep -q "$circuit_line" "$WORK/list.out" && grep -q "since $since " "$WORK/list.out" ||
  fail "--list with the daemon stopped: $(cat "$WORK/list.out")"
json_circuits "[{\"subscription\":\"down\",\"state\":\"open\",\"since\":\"$since\"}]"
SPEC_NOTIFY_LOG=debug start_daemon "$WORK/config.toml" "$WORK/daemon.log"
started_twice() { [ "$(grep -c "admin actor listening" "$WORK/daemon.log" || true)" -ge 2 ]; }
wait_until 15 started_twice || fail "the daemon did not start again"
list_out
grep -q "$circuit_line" "$WORK/list.out" && grep -q "since $since " "$WORK/list.out" ||
  fail "--list after the restart: $(cat "$WORK/list.out")"

# The outage lasts 20 s from the first transition (the scenario, not a wait for the daemon).
sleep $(( 20 - ($(date +%s) - down_since) > 0 ? 20 - ($(date +%s) - down_since) : 0 ))
dead=$(grep -c "moved to dead letters" "$WORK/daemon.log" || true)
[ "$dead" = 0 ] || fail "$dead dead letter(s) while the endpoint was down"

"$BIN" receive --listen "127.0.0.1:$port" --out "$WORK/received.jsonl" --ready-file "$WORK/receiver.port" \
  --secret-env CB_SECRET >>"$WORK/receiver.log" 2>&1 &
PIDS+=($!)
back=$(date +%s%N)
wait_until 10 test -s "$WORK/receiver.port" || fail "receiver did not start (see receiver.log)"
wait_until 8 has_distinct_tasks "$WORK/received.jsonl" 20 ||
  fail "$(distinct_tasks "$WORK/received.jsonl") of 20 delivered within 8 s (probe = 1s) after the endpoint came back"
echo "all 20 delivered $(( ($(date +%s%N) - back) / 1000000 )) ms after the endpoint came back"
wait_until 5 file_has "$WORK/daemon.log" "circuit CLOSED" || fail "no close line"

opened=$(grep -c "circuit OPEN" "$WORK/daemon.log" || true)
closed=$(grep -c "circuit CLOSED" "$WORK/daemon.log" || true)
[ "$opened" = 1 ] && [ "$closed" = 1 ] || fail "log: $opened open line(s), $closed close line(s); want 1 and 1"
"$BIN" --list --failed --config "$WORK/config.toml" | grep -q "^Dead letters: 0" || fail "--list shows dead letters"
list_out
! grep -q "circuit" "$WORK/list.out" || fail "--list after the circuit closed: $(cat "$WORK/list.out")"
json_circuits "[]"
curl -sf "http://127.0.0.1:$mport/metrics" > "$WORK/metrics.txt" || fail "metrics scrape failed"
grep -q '^spec_notify_circuit_open{subscription="down"} 0$' "$WORK/metrics.txt" || fail "metrics after close"
grep -q '^spec_notify_deliveries_dead_lettered_total{subscription="down"} 0$' "$WORK/metrics.txt" ||
  fail "metrics: dead letters"

stop_daemon
list_out     # the store no longer holds the circuit either
! grep -q "circuit" "$WORK/list.out" || fail "--list with the daemon stopped after the close: $(cat "$WORK/list.out")"
echo "circuit breaker: OK"
