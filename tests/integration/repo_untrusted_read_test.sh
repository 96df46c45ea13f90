#!/usr/bin/env bash
# The repo is untrusted input (docs/security.md): symlinks to /proc/self/mem, to a file outside the repo, to a
# FIFO, a FIFO itself, a symlinked docs/<X> folder and a symlinked telemetry file that leave the repo are never
# read. Each is warned about ONCE (not at every rescan), the daemon keeps running without restarting a stage,
# the good files are still delivered, and no payload carries anything from outside the repo.
source "$(dirname "$0")/lib.sh"

new_secret UNTRUSTED_SECRET
repo="$WORK/repo"
ev="$repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence"
out="$WORK/outside"
mkdir -p "$repo/docs/SPEC-KIT-1-good" "$repo/docs/SPEC-KIT-2-mem" "$repo/docs/SPEC-KIT-3-out" \
  "$repo/docs/SPEC-KIT-4-fifo" "$repo/docs/SPEC-KIT-5-fifo-link" "$ev/commands/SPEC-KIT-1" "$out/folder"
row() { printf '| Task ID | Title | Status |\n|---|---|---|\n| %s | %s | %s |\n' "$1" "$2" "$3"; }
row G-1 "good task" Backlog > "$repo/docs/SPEC-KIT-1-good/tasks.md"
echo "# empty" > "$repo/SPEC.md"
row SECRET-1 "outside file" Backlog > "$out/secret.md"
row SECRET-2 "outside folder" Backlog > "$out/folder/tasks.md"
printf '{"schemaVersion": 1, "command": "spec-ops-plan", "specId": "SPEC-KIT-1", "sessionId": "SECRET-3", "timestamp": "2025-10-05T00:00:00Z", "baseline": {"status": "passed"}}\n' \
  > "$out/telemetry.json"
mkfifo "$repo/docs/SPEC-KIT-4-fifo/tasks.md"   # nobody ever writes it: a blocking open would hang forever
mkfifo "$out/pipe"
ln -s "$out/pipe" "$repo/docs/SPEC-KIT-5-fifo-link/tasks.md"
ln -s "$out/folder" "$repo/docs/SPEC-KIT-6-linked"                 # a symlinked docs/<X> leaving the repo
ln -s "$out/telemetry.json" "$ev/commands/SPEC-KIT-1/spec-plan_2025-10-05T00:00:00Z-1.json"

start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env UNTRUSTED_SECRET
config_toml poll_interval=100ms \
  -- all "$(local_url "$WORK/recv.port" /)" UNTRUSTED_SECRET "$ALL_EVENTS" 'statuses=["Done", "In Review"]' \
  > "$WORK/config.toml"
export SPEC_NOTIFY_LOG=debug   # the watcher logs each rescan at debug: the test counts them
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

# Created under the running daemon by rename (inotify IN_MOVED_TO, not only the rescan).
ln -s /proc/self/mem "$WORK/mem.lnk" && mv "$WORK/mem.lnk" "$repo/docs/SPEC-KIT-2-mem/tasks.md"
ln -s "$out/secret.md" "$WORK/out.lnk" && mv "$WORK/out.lnk" "$repo/docs/SPEC-KIT-3-out/tasks.md"

refused=(docs/SPEC-KIT-2-mem/tasks.md docs/SPEC-KIT-3-out/tasks.md docs/SPEC-KIT-4-fifo/tasks.md
  docs/SPEC-KIT-5-fifo-link/tasks.md docs/SPEC-KIT-6-linked/tasks.md
  docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-1/spec-plan_2025-10-05T00:00:00Z-1.json)
warnings_for() { grep -F " warn " "$WORK/daemon.log" | grep -cF -- "$1: " || true; }
warned() { [ "$(warnings_for "$1")" -ge 1 ]; }
for rel in "${refused[@]}"; do wait_until 10 warned "$rel" || fail "no warning naming $rel"; done
rescans() { grep -c "watcher: rescanned" "$WORK/daemon.log" || true; }
rescans_past() { [ "$(rescans)" -ge "$1" ]; }

# Change everything: the good file, and every outside target a symlink points at.
row G-1 "good task" Done | save_atomically "$repo/docs/SPEC-KIT-1-good/tasks.md"
row SECRET-1 "outside file" Done | save_atomically "$out/secret.md"
row SECRET-2 "outside folder" Done | save_atomically "$out/folder/tasks.md"
sed -i 's/passed/failed/' "$out/telemetry.json"
wait_until 10 has_lines "$WORK/received.jsonl" 1 || fail "the good change was not delivered beside the refused files"
# Several more rescans: an outside change would have been read by now, and a per-rescan warning repeated.
# With inotify healthy the watcher rescans only when it has a reason (docs/architecture.md): a tracked file
# created without a close or rename (here a dangling symlink, never warned about) is one.
for i in 1 2 3 4 5; do
  base=$(rescans)
  ln -s "$WORK/absent" "$ev/commands/SPEC-KIT-1/probe-$i.json"
  wait_until 10 rescans_past $((base + 1)) || fail "the watcher did not rescan after probe $i"
done
row G-1 "good task" "In Review" | save_atomically "$repo/docs/SPEC-KIT-1-good/tasks.md"
wait_until 10 has_lines "$WORK/received.jsonl" 2 || fail "the second good change was not delivered"

kill -0 "$DAEMON_PID" || fail "daemon died"
! grep -q "restarting" "$WORK/daemon.log" || fail "a stage was restarted: $(grep restarting "$WORK/daemon.log")"
for rel in "${refused[@]}"; do
  n=$(warnings_for "$rel")
  [ "$n" -eq 1 ] || fail "$rel was warned about $n times (want once)"
done
! grep -q "SECRET" "$WORK/received.jsonl" || fail "content from outside the repo reached a payload"
node -e '
const ids = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => JSON.parse(l).body.task.id);
if (JSON.stringify(ids) !== JSON.stringify(["G-1", "G-1"])) { console.error("FAIL: delivered " + ids); process.exit(1); }
' "$WORK/received.jsonl"
stop_daemon
echo "repo untrusted read: OK"
