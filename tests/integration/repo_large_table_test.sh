#!/usr/bin/env bash
# One change costs bounded memory (docs/security.md): a 340,000-row, ~8 MB SPEC.md task table saved under the
# running daemon is read up to max_task_rows (50,000 by default) with ONE warning naming the file and the
# key; the rows under the cap all count (their events are emitted max_events_per_diff at a time, none lost),
# the rows past it do not, and the daemon's peak RSS stays bounded (generous bound here; the measured figure
# is in docs/benchmarks.md).
source "$(dirname "$0")/lib.sh"

new_secret BIG_SECRET
repo="$WORK/repo"
mkdir -p "$repo/docs"
echo "# Tracker" > "$repo/SPEC.md"
start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env BIG_SECRET
# Only three tasks are subscribed to, so the test measures the differ, not 50,000 HTTP deliveries. Task
# filters are prefixes: with ids up to T340000 each of these matches exactly one task.
config_toml -- few "$(local_url "$WORK/recv.port" /)" BIG_SECRET 'tasks=["T49999", "T50000", "T50001"]' \
  > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

# T1..T50000 are rows 1..50000 (lines 4..50003); T50001 (line 50004) is the first row past the cap.
awk 'BEGIN { printf "# Tracker\n| Task ID | Title | Status |\n|---|---|---|\n"
             for (i = 1; i <= 340000; i++) printf "| T%d | x | Done |\n", i }' > "$WORK/big.md"
size=$(stat -c %s "$WORK/big.md")
[ "$size" -gt 7500000 ] && [ "$size" -le 8388608 ] || fail "table is $size bytes, want ~8 MB under the 8 MiB read limit"
mv "$WORK/big.md" "$repo/SPEC.md"

wait_until 30 file_has "$WORK/daemon.log" "SPEC.md:50004: more than 50000 task rows" ||
  fail "no row-cap warning naming SPEC.md"
grep "SPEC.md:50004" "$WORK/daemon.log" | grep -q "max_task_rows" || fail "the warning does not name max_task_rows"
wait_until 10 file_has "$WORK/daemon.log" "max_events_per_diff" || fail "no event-cap warning"
# T49999 and T50000 come from the last pass of 20,000 events each (three passes, ~1.6 s apart).
has_task() { grep -q "\"id\":\"$1\"" "$WORK/received.jsonl" 2>/dev/null; }
wait_until 40 has_task T50000 || fail "T50000 (the last row under the cap) was not delivered"
wait_until 10 has_task T49999 || fail "T49999 was not delivered"

kill -0 "$DAEMON_PID" || fail "daemon died"
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status")
echo "daemon peak RSS (VmHWM) after the 340,000-row change: $((hwm_kb / 1024)) MB"
# Sanitizer builds (.ci/sanitize.sh) carry shadow memory and quarantines: the bound is for the real binary.
# (ldd's whole output first: `ldd | grep -q` under pipefail fails when grep exits before ldd has written all.)
if ! grep -qE 'lib(asan|tsan)' <<<"$(ldd "$BIN")"; then
  [ "$hwm_kb" -lt $((120 * 1024)) ] || fail "peak RSS ${hwm_kb} kB is over the 120 MB bound"
fi
[ "$(grep -c "more than 50000 task rows" "$WORK/daemon.log")" -eq 1 ] || fail "the row-cap warning was repeated"
[ "$(grep -c "max_events_per_diff" "$WORK/daemon.log")" -eq 1 ] || fail "the event-cap warning was repeated"
! has_task T50001 || fail "T50001, past max_task_rows, was delivered"
! grep -q "restarting" "$WORK/daemon.log" || fail "a stage was restarted"
stop_daemon
echo "repo large table: OK"
