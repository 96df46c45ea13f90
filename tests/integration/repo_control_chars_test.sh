#!/usr/bin/env bash
# Control characters from repo content cannot forge log lines or drive the operator's terminal
# (docs/security.md): a SPEC folder whose name holds a newline and a fake log line, and a task id holding ESC
# sequences, show up escaped (\n, \x1b) in the daemon log, in `--list` and in the admin shell, while
# `--list --json` keeps the exact text (JSON-escaped) and the payload carries it unchanged.
source "$(dirname "$0")/lib.sh"

new_secret CTL_SECRET
forged='2026-01-01T00:00:00.000Z error supervisor: FORGED'
folder="SPEC-KIT-7-x"$'\n'"$forged"
spec_dir="$WORK/repo/docs/$folder"
mkdir -p "$spec_dir"
row() { printf '| Task ID | Title | Status |\n|---|---|---|\n| T1\033[2J | title\033[31m red | %s |\n' "$1"; }
row Backlog > "$spec_dir/tasks.md"
echo "# empty" > "$WORK/repo/SPEC.md"
ADMIN_PORT=$(free_port)
DEAD_PORT=$(free_port)   # nothing listens: the delivery stays pending, so --list has a row to show
config_toml admin="127.0.0.1:$ADMIN_PORT" -- nowhere "http://127.0.0.1:$DEAD_PORT/" CTL_SECRET timeout=1s \
  retry.max_attempts=5 retry.initial_backoff=1h retry.max_backoff=1h > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
wait_until 10 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
row Done | save_atomically "$spec_dir/tasks.md"
wait_until 10 file_has "$WORK/daemon.log" 'T1\\x1b\[2J Backlog -> Done' || fail "no escaped transition log line"

# The log: the folder name's newline is "\n", not a line break; no line starts with the forged text; no ESC.
grep -qF 'docs/SPEC-KIT-7-x\n2026-01-01T00:00:00.000Z error supervisor: FORGED/tasks.md' "$WORK/daemon.log" ||
  fail "the folder name is not in the log, escaped"
! grep -q "^$forged" "$WORK/daemon.log" || fail "a log line was forged: $(grep "^$forged" "$WORK/daemon.log")"
! grep -q $'\033' "$WORK/daemon.log" || fail "a raw ESC reached the log"

# --list (terminal): one table row, escaped; no forged line, no ESC.
has_pending() { "$BIN" --list --config "$WORK/config.toml" > "$WORK/list.out" 2>&1 && grep -q "nowhere" "$WORK/list.out"; }
wait_until 10 has_pending || fail "no pending delivery listed: $(cat "$WORK/list.out")"
grep -qF 'SPEC-KIT-7-x\n2026' "$WORK/list.out" || fail "--list does not show the escaped folder name: $(cat "$WORK/list.out")"
grep -qF 'T1\x1b[2J' "$WORK/list.out" || fail "--list does not show the escaped task id: $(cat "$WORK/list.out")"
! grep -q '^2026-01-01' "$WORK/list.out" || fail "--list output has a forged line: $(cat "$WORK/list.out")"
! grep -q $'\033' "$WORK/list.out" || fail "--list printed a raw ESC"

# The admin shell renders with the same code.
printf 'list\nquit\n' | "$BIN" admin --config "$WORK/config.toml" > "$WORK/shell.out" 2>&1 || fail "admin shell exited $?"
grep -qF 'T1\x1b[2J' "$WORK/shell.out" || fail "admin shell does not show the escaped task id: $(cat "$WORK/shell.out")"
! grep -q '^2026-01-01' "$WORK/shell.out" || fail "admin shell output has a forged line"
! grep -q $'\033' "$WORK/shell.out" || fail "admin shell printed a raw ESC"

# --list --json: exact text, JSON-escaped, payload included.
"$BIN" --list --json --config "$WORK/config.toml" > "$WORK/list.json" || fail "--list --json exited $?"
[ "$(wc -l < "$WORK/list.json")" -eq 1 ] || fail "--list --json is not one line"
FOLDER="$folder" node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const r = j.pending[0];
const want = process.env.FOLDER;
if (r.spec !== want) throw new Error("spec " + JSON.stringify(r.spec));
if (r.task !== "T1\u001b[2J") throw new Error("task " + JSON.stringify(r.task));
if (r.body.spec.id !== want || r.body.task.title !== "title\u001b[31m red") throw new Error("body " + JSON.stringify(r.body));
' "$WORK/list.json" || fail "--list --json does not carry the exact text"

kill -0 "$DAEMON_PID" || fail "daemon died"
stop_daemon
echo "repo control chars: OK"
