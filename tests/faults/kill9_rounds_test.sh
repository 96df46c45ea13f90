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
new_spec_dir SPEC-KIT-308-kill $N
start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env K9_SECRET --delay 15
serve_sub_blocks k9 "$(local_url "$WORK/receiver.port")" K9_SECRET 5s 50 50ms 500ms max_in_flight=4

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

check_burst "$WORK/received.jsonl" $N "over $ROUNDS kill -9 rounds" || fail "kill -9 rounds (seed $SEED)"
echo "kill -9 rounds: OK"
