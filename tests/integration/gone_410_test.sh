#!/usr/bin/env bash
# 410 Gone: the endpoint's first answer 410 disables that subscription (log line, evidence record). Its
# deliveries are kept, not dead-lettered and not sent again: a second subscription keeps receiving (T1, T2) while
# the disabled one gets nothing more; the disabled state survives a restart even when the endpoint is healthy
# again, and the kept deliveries are still in the spool (the restarted deliverer resumes 2 pending ones but sends
# none of them until an operator resumes it).
source "$(dirname "$0")/lib.sh"

new_secret GONE_SECRET
new_spec_dir SPEC-KIT-203-gone 3

write_config() {  # write_config GONE_PORT_FILE HEALTHY_PORT_FILE
  config_toml admin="127.0.0.1:$ADMIN_PORT" \
    -- gone "$(local_url "$1")" GONE_SECRET retry.max_attempts=3 retry.initial_backoff=50ms retry.max_backoff=200ms \
    -- healthy "$(local_url "$2")" GONE_SECRET > "$WORK/config.toml"
}

ADMIN_PORT=$(free_port)
start_receiver "$WORK/gone.jsonl" "$WORK/gone.port" "$WORK/receiver.log" --secret-env GONE_SECRET --status 410
start_receiver "$WORK/healthy.jsonl" "$WORK/healthy.port" "$WORK/receiver.log" --secret-env GONE_SECRET
write_config "$WORK/gone.port" "$WORK/healthy.port"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

task_table 3 1 | save_atomically "$spec_dir/tasks.md"     # T1 -> Done
wait_until 10 at_least_lines "$WORK/gone.jsonl" 1 || fail "the 410 endpoint got no request for T1"
wait_until 10 file_has "$WORK/daemon.log" "subscription DISABLED" || fail "no 'subscription DISABLED' log line after 410"
wait_until 10 has_distinct_tasks "$WORK/healthy.jsonl" 1 || fail "healthy subscription did not get T1"

task_table 3 2 | save_atomically "$spec_dir/tasks.md"     # T2 -> Done
wait_until 10 has_distinct_tasks "$WORK/healthy.jsonl" 2 || fail "healthy subscription did not get T2 (not isolated from the disabled one)"
# The retry backoff is <= 200 ms: by the time T2 went through the healthy subscription, a (wrong) retry of T1 or
# a send of T2 to the disabled one would have had time to show up as well.
wait_until 10 file_has "$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-203-gone/webhooks/"*.jsonl '"status_code":410' ||
  fail "evidence has no record of the 410 answer"
[ "$(lines_in "$WORK/gone.jsonl")" = 1 ] || fail "disabled subscription got $(lines_in "$WORK/gone.jsonl") requests, want 1: $(cat "$WORK/gone.jsonl")"
grep -q '"status":410' "$WORK/gone.jsonl" || fail "the 410 endpoint's line: $(cat "$WORK/gone.jsonl")"
grep -q "moved to dead letters" "$WORK/daemon.log" && fail "a 410 must disable the subscription, not dead-letter the delivery"

# Restart with the endpoint healthy again: the subscription stays disabled; its two deliveries are kept.
stop_daemon
mark=$(lines_in "$WORK/daemon.log")
start_receiver "$WORK/back.jsonl" "$WORK/back.port" "$WORK/receiver.log" --secret-env GONE_SECRET
write_config "$WORK/back.port" "$WORK/healthy.port"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
restarted_log() { tail -n +"$((mark + 1))" "$WORK/daemon.log"; }
resumed_two() { restarted_log | grep -q "deliverer/gone: resuming 2 pending"; }
wait_until 15 resumed_two || fail "after the restart deliverer/gone did not resume its 2 kept deliveries: $(restarted_log)"
restarted_log | grep -q "deliverer/gone: subscription is disabled" || fail "the disabled state did not survive the restart"
task_table 3 3 | save_atomically "$spec_dir/tasks.md"     # T3 -> Done: sentinel through the healthy subscription
wait_until 10 has_distinct_tasks "$WORK/healthy.jsonl" 3 || fail "healthy subscription did not get T3 after the restart"
[ "$(lines_in "$WORK/back.jsonl")" = 0 ] || fail "a disabled subscription sent after the restart: $(cat "$WORK/back.jsonl")"

# "410 = disable (keep its events, replayable)": replaying one held delivery through the running daemon's admin
# actor re-enables the subscription, so all three held deliveries (T1, T2, T3) go out, under their webhook-ids.
wait_until 10 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
"$BIN" --list --subscription gone --json --config "$WORK/config.toml" > "$WORK/held.json" || fail "--list exited $?"
held_id=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const t1 = j.pending.find((d) => d.task === "T1"); if (j.pending.length !== 3 || !t1) process.exit(1);
  console.log(t1.id)' "$WORK/held.json") || fail "want T1..T3 held for 'gone': $(cat "$WORK/held.json")"
"$BIN" --replay "$held_id" --config "$WORK/config.toml" > "$WORK/replay.out" || fail "--replay exited $?: $(cat "$WORK/replay.out")"
grep -q "re-enabled" "$WORK/replay.out" || fail "--replay of a held delivery: $(cat "$WORK/replay.out")"
wait_until 10 has_distinct_tasks "$WORK/back.jsonl" 3 || fail "after the replay 'gone' sent: $(cat "$WORK/back.jsonl")"
grep -q "\"webhook_id\":\"$held_id\"" "$WORK/back.jsonl" || fail "the replayed delivery changed its webhook-id"
[ "$(lines_in "$WORK/back.jsonl")" = 3 ] || fail "want exactly 3 deliveries after the replay: $(cat "$WORK/back.jsonl")"

stop_daemon
echo "410 gone: OK"
