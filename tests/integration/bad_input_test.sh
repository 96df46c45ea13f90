#!/usr/bin/env bash
# Hostile files never stop the pipeline: binary junk, invalid UTF-8, a 50 MB file, ragged rows, a half-written
# telemetry file and an unreadable file are each reported (naming the file) while a normal change elsewhere is
# still delivered, and the daemon stays up.
source "$(dirname "$0")/lib.sh"

new_secret BAD_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-1-good" "$WORK/repo/docs/SPEC-KIT-2-huge" "$WORK/repo/docs/SPEC-KIT-3-ragged"
good() { printf '| Order | Task | Owner | Status | Validation |\n| --- | --- | --- | --- | --- |\n| 1 | G-%s: good task | Code | %s | - |\n' "$1" "$2"; }
good 1 "In Progress" > "$WORK/repo/docs/SPEC-KIT-1-good/tasks.md"
echo "# empty" > "$WORK/repo/SPEC.md"

start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env BAD_SECRET
config_toml -- good "$(local_url "$WORK/recv.port" /)" BAD_SECRET > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

head -c 200000 /dev/urandom > "$WORK/repo/SPEC.md"                                   # binary junk
printf '| ID | Task | Status |\n|---|---|---|\n| T1 | \xff\xfe bad \xc3 | Done |\n| T2 |\n| T3 | x | Done | extra | cells |\n' \
  > "$WORK/repo/docs/SPEC-KIT-3-ragged/tasks.md"                                       # invalid UTF-8, ragged rows
python3 - "$WORK/repo/docs/SPEC-KIT-2-huge/tasks.md" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("| ID | Task | Status |\n|---|---|---|\n")
    rows = "".join("| T%d | filler | Done |\n" % n for n in range(100000))
    while f.tell() < 50 * 1024 * 1024:
        f.write(rows)
PY
mkdir -p "$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-1"
printf '{"schemaVersion": 1, "command": "spec-ops-pl' \
  > "$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-1/spec-plan_2025-10-05T00:00:00Z-1.json"
wait_until 10 file_has "$WORK/daemon.log" "SPEC-KIT-2-huge/tasks.md" || fail "the 50 MB file was not reported"
wait_until 10 file_has "$WORK/daemon.log" "spec-plan_2025-10-05T00:00:00Z-1.json" || fail "broken telemetry not reported"

good 1 "Done" | save_atomically "$WORK/repo/docs/SPEC-KIT-1-good/tasks.md"
# T1 and T3 of the ragged file arrive too (see below): wait for all three.
wait_until 10 has_lines "$WORK/received.jsonl" 3 || fail "got $(line_count "$WORK/received.jsonl") of 3 deliveries"
grep -q '"G-1"' "$WORK/received.jsonl" || fail "the good change was not delivered beside the bad files"
kill -0 "$DAEMON_PID" || fail "daemon died"
# The ragged file's valid rows count (T1 from null -> Done, T3 -> Done); T2 has no status cell and is skipped.
node -e '
const ids = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => JSON.parse(l).body.task.id).sort();
if (JSON.stringify(ids) !== JSON.stringify(["G-1", "T1", "T3"])) { console.error("FAIL: delivered " + ids); process.exit(1); }
' "$WORK/received.jsonl"
stop_daemon
echo "bad input: OK"
