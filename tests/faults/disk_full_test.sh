#!/usr/bin/env bash
# Disk full during operation: the state dir lives on a 4 MB tmpfs. After T1 is delivered normally, the tmpfs is
# filled up and T2..T21 are turned Done in one save. The differ cannot store them: a clear error naming the state
# dir must be logged, the daemon must keep running, and nothing of that save may be delivered (the events were
# never stored, so they must not be acknowledged either). Space then returns and T22 is turned Done in the same
# file: since the differ did not advance its baseline when the write failed, T2..T21 must now be detected along
# with T22, and all 21 delivered exactly once each (one webhook-id per task, Backlog -> Done). Finally the store
# must survive the episode: SIGTERM exits 0, a restart opens the store without complaint, nothing is re-sent, and
# T23 is delivered. Then once more with a kill -9 while the disk is still full (T24..T30 detected but not storable,
# the write-ahead log possibly ending in a torn record): after space returns, the restarted daemon must open the
# store and deliver T24..T30 exactly once each.
source "$(dirname "$0")/faultlib.sh"

new_secret DF_SECRET
N=30
new_spec_dir SPEC-KIT-310-diskfull $N
MNT=$WORK/mnt
mount_tmpfs "$MNT" 4m ||
  fail "this test needs root with CAP_SYS_ADMIN to mount a small tmpfs as the state dir (mount: $(cat "$WORK/mount.log" 2>/dev/null))"

start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env DF_SECRET
{
  notify_header "$MNT/state"
  sub_block df "$(local_url "$WORK/receiver.port")" DF_SECRET 5s 20 50ms 500ms
} > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
task_table $N 1 | save_atomically "$spec_dir/tasks.md"                 # T1 -> Done, with space
wait_until 10 has_distinct_tasks "$WORK/received.jsonl" 1 || fail "T1 was not delivered before the disk filled up"

fill_fs "$MNT"
echo "state tmpfs filled: $(df -k "$MNT" | awk 'NR == 2 { print $3 " kB used, " $4 " kB free" }')"
errors_before=$(count_in_log "$WORK/daemon.log" "cannot persist")
task_table $N 21 | save_atomically "$spec_dir/tasks.md"                # T2..T21 -> Done, disk full
more_errors() { [ "$(count_in_log "$WORK/daemon.log" "cannot persist")" -gt "$errors_before" ]; }
wait_until 10 more_errors || fail "no 'cannot persist' error was logged for the save made while the disk was full"
grep "cannot persist" "$WORK/daemon.log" | tail -n 1
grep "cannot persist" "$WORK/daemon.log" | tail -n 1 | grep -qF "$MNT/state" || fail "the error does not name the state dir"
grep "cannot persist" "$WORK/daemon.log" | tail -n 1 | grep -Eqi "space|ENOSPC|IO error" || fail "the error does not say why"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died when the disk filled up"
# The daemon must not have announced or delivered anything it could not store.
[ "$(distinct_tasks "$WORK/received.jsonl")" -eq 1 ] || fail "a transition detected while the disk was full was delivered"

rm -f "$MNT"/filler "$MNT"/f[0-9]*
echo "space returned: $(df -k "$MNT" | awk 'NR == 2 { print $4 " kB free" }')"
task_table $N 22 | save_atomically "$spec_dir/tasks.md"                # T22 -> Done, space back
wait_until 20 has_distinct_tasks "$WORK/received.jsonl" 22 ||
  fail "after space returned $(distinct_tasks "$WORK/received.jsonl") of 22 tasks were delivered (T2..T21 lost: the differ advanced its baseline although the write failed?)"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died"
stop_daemon

echo "--- restart after the disk-full episode" >>"$WORK/daemon.log"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
task_table $N 23 | save_atomically "$spec_dir/tasks.md"                # T23 -> Done after the restart
t23_or_exit() { has_distinct_tasks "$WORK/received.jsonl" 23 || daemon_exited "$DAEMON_PID"; }
wait_until 20 t23_or_exit || fail "after the restart T23 was not delivered within 20 s"
if daemon_exited "$DAEMON_PID"; then
  rc=0; wait "$DAEMON_PID" || rc=$?
  fail "the daemon could not restart after the disk-full episode (exit $rc): $(tail -n 1 "$WORK/daemon.log")"
fi
if grep -qi "corrupt" "$WORK/daemon.log"; then fail "the store reported corruption after the disk-full episode"; fi

# Second episode: SIGKILL while the disk is full.
fill_fs "$MNT"
errors_before=$(count_in_log "$WORK/daemon.log" "cannot persist")
task_table $N 30 | save_atomically "$spec_dir/tasks.md"                # T24..T30 -> Done, disk full
wait_until 10 more_errors || fail "no 'cannot persist' error for the second disk-full save"
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
[ "$(distinct_tasks "$WORK/received.jsonl")" -eq 23 ] || fail "a transition detected while the disk was full was delivered"
rm -f "$MNT"/filler "$MNT"/f[0-9]*
echo "--- restart after SIGKILL during a full disk" >>"$WORK/daemon.log"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
all_or_exit() { has_distinct_tasks "$WORK/received.jsonl" 30 || daemon_exited "$DAEMON_PID"; }
wait_until 20 all_or_exit || fail "after SIGKILL on a full disk and a restart: $(distinct_tasks "$WORK/received.jsonl") of 30 tasks delivered"
if daemon_exited "$DAEMON_PID"; then
  rc=0; wait "$DAEMON_PID" || rc=$?
  fail "the daemon could not restart after a SIGKILL on a full disk (exit $rc): $(tail -n 1 "$WORK/daemon.log")"
fi
stop_daemon

node - "$WORK/received.jsonl" $N <<'JS' || fail "disk-full deliveries"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const byTask = new Map();
for (const l of lines) {
  if (l.verified !== true) fail(`request ${l.webhook_id} did not verify`);
  const t = l.body.task;
  if (t.from !== "Backlog" || t.to !== "Done") fail(`${t.id}: ${t.from} -> ${t.to}`);
  if (!byTask.has(t.id)) byTask.set(t.id, new Set());
  byTask.get(t.id).add(l.webhook_id);
}
for (let i = 1; i <= n; i++) {
  const ids = byTask.get("T" + i);
  if (!ids) fail(`T${i} never delivered`);
  if (ids.size !== 1) fail(`T${i} delivered under ${ids.size} webhook-ids (detected twice)`);
}
if (byTask.size !== n) fail(`${byTask.size} tasks, want ${n}`);
console.log(`all ${n} transitions delivered, ${lines.length} requests, one webhook-id per task`);
JS
grep " store: " "$WORK/daemon.log" || true
echo "disk full: OK"
