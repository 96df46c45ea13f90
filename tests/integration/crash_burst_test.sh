#!/usr/bin/env bash
# Crash safety: one save turns 300 tasks Backlog -> Done (a 300-delivery burst to a receiver that takes 20 ms per
# request). The daemon is killed with SIGKILL once >= 40 requests arrived, i.e. in the middle of the burst, then
# restarted. Every one of the 300 tasks must be delivered; a task delivered more than once (sent, but its
# completion not yet recorded when the daemon died) must carry the same webhook-id every time, and no two tasks
# may share one. Every request verifies.
source "$(dirname "$0")/lib.sh"

N=300
KILL_AFTER=40
new_secret BURST_SECRET
new_spec_dir SPEC-KIT-204-burst $N

start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env BURST_SECRET --delay 20
config_toml -- burst "$(local_url "$WORK/receiver.port")" BURST_SECRET max_in_flight=4 timeout=5s \
  retry.max_attempts=20 retry.initial_backoff=50ms retry.max_backoff=500ms > "$WORK/config.toml"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

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

check_burst "$WORK/received.jsonl" $N "after a kill -9 mid-burst" || fail "burst deliveries"

stop_daemon
echo "crash burst: OK"
