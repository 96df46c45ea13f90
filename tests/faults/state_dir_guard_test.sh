#!/usr/bin/env bash
# State directory guards (issue 11 "state"), against the real binary:
#  1. state_dir is 0700 and every file in it 0600, under umask 000 and 022;
#  2. a second daemon on the same state_dir is refused even after LevelDB's LOCK file was deleted, with an
#     error naming the state dir and that another spec-notify holds it (and the first keeps running);
#  3. a write-ahead log emptied while the daemon was stopped is reported by a warning at the next start.
source "$(dirname "$0")/faultlib.sh"

new_secret GUARD_SECRET
spec=SPEC-KIT-410-state
mkdir -p "$WORK/repo/docs/$spec"
task_table 3 0 | save_atomically "$WORK/repo/docs/$spec/tasks.md"
start_fault_server "$WORK/ok.jsonl" "$WORK/ok.port" "$WORK/server.log" "200"
write_config() {  # write_config FILE STATE_DIR
  { notify_header "$2"; sub_block guard "http://127.0.0.1:$(cat "$WORK/ok.port")/h" GUARD_SECRET 5s 3 100ms 200ms; } > "$1"
}

# 1. Permissions, whatever the umask.
for mask in 000 022; do
  write_config "$WORK/u$mask.toml" "$WORK/u$mask/state"
  (umask "$mask"; exec "$BIN" serve --config "$WORK/u$mask.toml" >>"$WORK/u$mask.log" 2>&1) &
  DAEMON_PID=$!; PIDS+=("$DAEMON_PID")
  baseline_ready "$WORK/u$mask.log"
  stop_daemon
  [ "$(stat -c %a "$WORK/u$mask/state")" = 700 ] || fail "umask $mask: state dir is $(stat -c %a "$WORK/u$mask/state"), want 700"
  wide=$(find "$WORK/u$mask/state" -mindepth 1 \( \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) \) -printf '%p %m\n')
  [ -z "$wide" ] || fail "umask $mask: files not 0600 / folders not 0700: $wide"
  [ "$(find "$WORK/u$mask/state" -mindepth 1 | wc -l)" -ge 4 ] || fail "umask $mask: no store files?"
done

# 2. Second daemon, LOCK deleted.
write_config "$WORK/config.toml" "$WORK/state"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
first=$DAEMON_PID
baseline_ready "$WORK/daemon.log"
rm "$WORK/state/LOCK"
write_config "$WORK/second.toml" "$WORK/state"   # its own admin port: only the state dir is shared
rc=0; timeout -s KILL 10 "$BIN" serve --config "$WORK/second.toml" >"$WORK/second.log" 2>&1 || rc=$?
cat "$WORK/second.log"
[ "$rc" -eq 1 ] || fail "a second daemon on $WORK/state with LOCK deleted exited $rc, want 1 (137 = it ran)"
grep -E "error +serve:" "$WORK/second.log" | grep -F "$WORK/state" | grep -q "another spec-notify" ||
  fail "the error does not name the state dir and the other spec-notify"
kill -0 "$first" || fail "the first daemon died"
task_table 3 1 | save_atomically "$WORK/repo/docs/$spec/tasks.md"
wait_until 15 has_requests "$WORK/ok.jsonl" 1 || fail "the first daemon no longer delivers"

# 3. Emptied write-ahead log while stopped.
stop_daemon
grep -q "lost records" "$WORK/daemon.log" && fail "a lost-records warning without a reason"
logs=$(find "$WORK/state" -name '*.log' -size +0c)
[ -n "$logs" ] || fail "no non-empty write-ahead log to empty"
for f in $logs; do : > "$f"; done
start_daemon "$WORK/config.toml" "$WORK/restart.log"
wait_until 15 file_has "$WORK/restart.log" "has lost records" || fail "no warning about the emptied write-ahead log"
grep -E "warn +store:" "$WORK/restart.log" | grep -qF "$WORK/state" || fail "the warning does not name the state dir"
stop_daemon
echo "state dir guards: OK"
