#!/usr/bin/env bash
# README.md and docs/operations.md cannot drift from what the binary does: every code block preceded by a
# `<!-- session: ... -->` line is extracted and the blocks of one file are run, in order and exactly as written,
# as one bash session with `set -euo pipefail` (a command that fails fails the test). Then the outcome the
# prose promises is checked: for the README a dry run recorded in the evidence, a verified spec-notify.test
# delivery and a verified real transition; for operations.md a dry run, a verified test delivery and the
# daemon's delivery of the T2 transition.
# The README session runs in a temp "checkout": build/spec-notify is the binary under test, deploy/ the real
# one, HOME a temp dir (so ~/spec-notify-try is too). The operations session runs in an empty temp dir with
# spec-notify on the PATH. The blocks use fixed ports (receiver 127.0.0.1:8080, admin 127.0.0.1:7707), so each
# session runs in a private network namespace with only loopback (unshare -n, root as in CI) and collides
# with nothing on the host; without one the ports must be free, else the test fails saying so.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TEST_DIR/.." && pwd)

# extract FILE: the marked blocks of FILE, concatenated; fails when there are none (a dropped marker).
extract() {
  python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
out, i, n = [], 0, 0
while i < len(lines):
    if lines[i].startswith("<!-- session"):
        fence = lines[i + 1]
        if not re.match(r"^```(bash|sh)$", fence):
            sys.exit("%s:%d: a session marker must precede a ```bash or ```sh block" % (sys.argv[1], i + 1))
        i += 2
        n += 1
        out.append("# --- block %d (%s:%d)" % (n, sys.argv[1], i))
        while lines[i] != "```":
            out.append(lines[i])
            i += 1
    i += 1
if n == 0:
    sys.exit("no session blocks in " + sys.argv[1])
print("\n".join(out))
PY
}

# run_session NAME DIR SCRIPT: runs SCRIPT (extracted blocks) in DIR; stdout+stderr to $WORK/NAME.log.
run_session() {
  local name=$1 dir=$2 script=$3
  {
    echo 'set -euo pipefail'
    # Harness, not documentation: whatever the session left running is stopped (and waited for) when it
    # ends or fails.
    echo 'trap '"'"'jobs -p | xargs -r kill 2>/dev/null || true; wait'"'"' EXIT'
    cat "$script"
  } > "$WORK/$name.session.sh"
  local runner=(bash)
  if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
    runner=(unshare -n bash -c 'ip link set lo up && exec bash "$0"')
  else
    for port in 8080 7707; do
      ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
        fail "port $port is in use and no private network namespace is available (unshare -n needs root)"
    done
  fi
  echo "== $name: running $(grep -c '^# --- block' "$script") block(s) in $dir"
  (cd "$dir" && HOME="$WORK/home" timeout 120 "${runner[@]}" "$WORK/$name.session.sh") >"$WORK/$name.log" 2>&1 ||
    fail "$name session failed (exit $?): $(tail -n 25 "$WORK/$name.log")"
}

# json_check FILE LINE_NO JS-EXPR: the JSON line LINE_NO (1-based) of FILE satisfies the expression over `l`.
json_check() {
  python3 - "$@" <<'PY' || fail "$1 line $2 does not satisfy: $3"
import json, sys
rows = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
l = rows[int(sys.argv[2]) - 1]
sys.exit(0 if eval(sys.argv[3], {"l": l}) else 1)
PY
}

mkdir -p "$WORK/home" "$WORK/checkout/build" "$WORK/ops"
ln -s "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" "$WORK/checkout/build/spec-notify"
ln -s "$ROOT/deploy" "$WORK/checkout/deploy"

echo "== README.md"
extract "$ROOT/README.md" > "$WORK/readme.blocks"
grep -q "spec-notify init" "$WORK/readme.blocks" || fail "the README session no longer runs spec-notify init"
run_session readme "$WORK/checkout" "$WORK/readme.blocks"
try=$WORK/home/spec-notify-try
[ "$(stat -c %a "$try/spec-notify.env")" = 600 ] || fail "spec-notify.env is not mode 0600"
grep -q "dry run (dry_run = true): nothing sent" "$WORK/readme.log" || fail "no dry run in the README session"
grep -q '"kind":"dry_run"' "$try"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/*/webhooks/*.jsonl ||
  fail "the dry run left no evidence record"
grep -qE "^HTTP 200 in [0-9]+ ms" "$WORK/readme.log" || fail "the live --test did not get HTTP 200"
[ "$(line_count "$try/received.jsonl")" = 2 ] || fail "want 2 deliveries, got: $(cat "$try/received.jsonl")"
json_check "$try/received.jsonl" 1 'l["event"] == "spec-notify.test" and l["verified"] is True and l["status"] == 200'
json_check "$try/received.jsonl" 2 '(l["event"] == "spec-kit.task.transitioned" and l["verified"] is True and
  l["body"]["task"]["id"] == "T1" and l["body"]["task"]["from"] == "In Progress" and l["body"]["task"]["to"] == "Done")'
grep -q "which task rows\|what each subscription would receive" "$WORK/readme.log" ||
  fail "check-config did not explain what the subscription would receive"
wait_until 10 file_has "$try/serve.log" "serve: stopped" || fail "the daemon did not stop cleanly after kill"

echo "== docs/operations.md"
extract "$ROOT/docs/operations.md" > "$WORK/ops.blocks"
mkdir -p "$WORK/path"
ln -s "$WORK/checkout/build/spec-notify" "$WORK/path/spec-notify"
PATH="$WORK/path:$PATH" run_session operations "$WORK/ops" "$WORK/ops.blocks"
grep -q "dry run (dry_run = true): nothing sent" "$WORK/operations.log" || fail "no dry run in workflow 1"
grep -qE "^HTTP 200 in [0-9]+ ms" "$WORK/operations.log" || fail "the rehearsed --test did not get HTTP 200"
if ! { grep -q "environment variable SPEC_NOTIFY_CHATOPS_SECRET (secret_env) is not set" "$WORK/operations.log" &&
  grep -q "^exit 2$" "$WORK/operations.log"; }; then fail "the error path of workflow 1 changed"; fi
grep -q "T2 In Progress -> Done" "$WORK/ops/serve.log" || fail "workflow 2: no T2 transition in the log"
grep -q "delivered (HTTP 200)" "$WORK/ops/serve.log" || fail "workflow 2: no delivery"
grep -q '"verified":true' "$WORK/operations.log" || fail "the receiver did not verify a delivery"
grep -q "^Dead letters: 0" "$WORK/operations.log" || fail "workflow 3: --list --failed output changed"
grep -qx "200 3 Done SPEC-KIT-077-ordering/T1" "$WORK/operations.log" || fail "workflow 5: no ordered Done (sequence 3)"
if [ "$(grep -cE '^(500|200) [0-9]+ ' "$WORK/operations.log")" -ne 5 ] ||
  ! grep -qx "200 2 In Review SPEC-KIT-077-ordering/T1" "$WORK/operations.log"; then
  fail "workflow 5: the ordered requests changed: $(grep -E '^(500|200) [0-9]+ ' "$WORK/operations.log")"
fi
echo "readme: OK (README and docs/operations.md sessions run as written)"
