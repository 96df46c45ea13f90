#!/usr/bin/env bash
# Hostile repository (issue 11 "writes"): symlinks planted on the evidence path of a running daemon - at
# evidence_dir itself, at a SPEC folder, at a webhooks folder pointing into state_dir, at the evidence file, and
# among the files rotation would delete. For each: nothing is written (or deleted) outside evidence_dir, a warning
# names the refused path once, and the record is kept and written once the symlink is removed.
source "$(dirname "$0")/faultlib.sh"

new_secret GUARD_SECRET
EV=$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence
S1=SPEC-KIT-401-evdir S2=SPEC-KIT-402-specdir S3=SPEC-KIT-403-state S4=SPEC-KIT-404-file S5=SPEC-KIT-405-rotate
for s in $S1 $S2 $S3 $S4 $S5; do
  mkdir -p "$WORK/repo/docs/$s"
  task_table 4 0 | save_atomically "$WORK/repo/docs/$s/tasks.md"
done
mkdir -p "$WORK/outside"
echo "operator file" > "$WORK/outside/keep.txt"
head -c 1500 /dev/zero | tr '\0' v > "$WORK/outside/victim.jsonl"
outside_before=$(cd "$WORK/outside" && find . -printf '%p %s %T@\n' | sort)
evidence_count() { evidence_lines "$1" | grep -c . || true; }
evidence_count_is() { [ "$(evidence_count "$1")" -eq "$2" ]; }
evidence_count_at_least() { [ "$(evidence_count "$1")" -ge "$2" ]; }
outside_unchanged() { [ "$(cd "$WORK/outside" && find . -printf '%p %s %T@\n' | sort)" = "$outside_before" ]; }

start_fault_server "$WORK/ok.jsonl" "$WORK/ok.port" "$WORK/server.log" "200"
{ notify_header "$WORK/state" evidence_max_bytes_per_spec=2000
  sub_block guard "$(local_url "$WORK/ok.port" /h)" GUARD_SECRET 5s 3 100ms 200ms
} > "$WORK/config.toml"

# 1. evidence_dir itself is a symlink (planted before the daemon starts).
mkdir -p "$(dirname "$EV")"
ln -s "$WORK/outside" "$EV"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
baseline_ready "$WORK/daemon.log"
task_table 4 1 | save_atomically "$WORK/repo/docs/$S1/tasks.md"
wait_until 15 file_has "$WORK/daemon.log" "refusing to follow the symlink at $EV" ||
  fail "no warning naming the symlinked evidence_dir $EV"
task_table 4 2 | save_atomically "$WORK/repo/docs/$S1/tasks.md"   # a second record, same refusal
wait_until 15 has_requests "$WORK/ok.jsonl" 2 || fail "deliveries stopped"
outside_unchanged || fail "evidence written through the symlinked evidence_dir: $(ls -la "$WORK/outside")"
rm "$EV"
wait_until 15 evidence_count_is $S1 2 ||
  fail "the 2 kept records of $S1 were not written after the symlink was removed: $(evidence_lines $S1)"
[ "$(count_in_log "$WORK/daemon.log" "refusing to follow the symlink at $EV")" -eq 1 ] ||
  fail "the refusal was logged $(count_in_log "$WORK/daemon.log" "refusing to follow the symlink at $EV") times, want once"
wait_until 10 file_has "$WORK/daemon.log" "writing again" || fail "no 'writing again' notice"

# 2. A SPEC folder is a symlink.
mkdir -p "$EV/commands"
ln -s "$WORK/outside" "$EV/commands/$S2"
task_table 4 1 | save_atomically "$WORK/repo/docs/$S2/tasks.md"
wait_until 15 file_has "$WORK/daemon.log" "symlink at $EV/commands/$S2" || fail "no warning naming $EV/commands/$S2"
outside_unchanged || fail "evidence written through the symlinked SPEC folder"
rm "$EV/commands/$S2"
wait_until 15 evidence_count_is $S2 1 || fail "the kept record of $S2 was not written"

# 3. A webhooks folder points into state_dir.
mkdir -p "$EV/commands/$S3"
ln -s "$WORK/state" "$EV/commands/$S3/webhooks"
task_table 4 1 | save_atomically "$WORK/repo/docs/$S3/tasks.md"
wait_until 15 file_has "$WORK/daemon.log" "symlink at $EV/commands/$S3/webhooks" || fail "no warning naming the webhooks symlink"
if [ -n "$(find "$WORK/state" -maxdepth 1 -name "webhooks-*")" ]; then fail "evidence written into state_dir: $(ls "$WORK/state")"; fi
rm "$EV/commands/$S3/webhooks"
wait_until 15 evidence_count_is $S3 1 || fail "the kept record of $S3 was not written"

# 4. The evidence file itself is a symlink to a file outside.
file4=$EV/commands/$S4/webhooks/webhooks-$(date -u +%Y%m%d)-0001.jsonl
mkdir -p "$(dirname "$file4")"
ln -s "$WORK/outside/keep.txt" "$file4"
task_table 4 1 | save_atomically "$WORK/repo/docs/$S4/tasks.md"
wait_until 15 file_has "$WORK/daemon.log" "symlink at $file4" || fail "no warning naming $file4"
outside_unchanged || fail "evidence appended through the symlinked file: $(cat "$WORK/outside/keep.txt")"
rm "$file4"
wait_until 15 evidence_count_is $S4 1 || fail "the kept record of $S4 was not written"

# 5. Rotation (budget 2000 bytes) next to a symlink named as the oldest evidence file: the link is not ours to
# delete, and its 1500-byte target is not counted.
dir5=$EV/commands/$S5/webhooks
mkdir -p "$dir5"
ln -s "$WORK/outside/victim.jsonl" "$dir5/webhooks-20200101-0001.jsonl"
task_table 4 4 | save_atomically "$WORK/repo/docs/$S5/tasks.md"
wait_until 15 evidence_count_at_least $S5 4 || fail "$S5: $(evidence_lines $S5 | grep -c .) of 4 records"
[ -L "$dir5/webhooks-20200101-0001.jsonl" ] || fail "rotation deleted the planted symlink"
outside_unchanged || fail "rotation touched a symlink target"

stop_daemon
echo "evidence symlinks: OK"
