#!/usr/bin/env bash
# Correlation on a real evidence tree: copied into a watched repo file by file in a random order, and again
# all at once by a `git pull`, every telemetry v1 file gives exactly one spec-auto.stage.completed delivery
# (unlock also one spec-auto.pipeline.completed) whose telemetry.path is that file, with that file's command,
# session, timestamp and status; any consensus it carries is a record of the same SPEC and stage. Nothing else
# is emitted.
# Source: ../shared/fixtures (the real Spec Kit evidence tree), or SPEC_NOTIFY_EVIDENCE_TREE=<dir holding
# commands/ and consensus/>. SKIPPED (exit 77, CTest SKIP_RETURN_CODE) when neither is present.
# SEED=<n> replays a given file order (the order used is printed).
TEST_DIR=${SPEC_NOTIFY_TEST_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
SRC=${SPEC_NOTIFY_EVIDENCE_TREE:-$TEST_DIR/../../shared/fixtures/docs/SPEC-OPS-004-integrated-coder-hooks/evidence}
if [ ! -d "$SRC/commands" ]; then
  echo "SKIPPED: no real evidence tree at $SRC"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$SRC" && pwd)
EV=docs/SPEC-OPS-004-integrated-coder-hooks/evidence
SEED=${SEED:-$RANDOM}
new_secret PTR_SECRET

# The plan, computed independently of the daemon (contract + design/spec-kit-formats.md): every file of the
# tree in a seeded random order, each with the number of events it must give (telemetry v1: 1, unlock: 2).
python3 - "$SRC" "$SEED" "$EV" > "$WORK/plan.tsv" <<'PY'
import json, os, random, re, sys
src, seed, ev = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted(os.path.relpath(os.path.join(d, f), src) for d, _, fs in os.walk(src) for f in fs)
random.Random(seed).shuffle(files)
for rel in files:
    n = 0
    m = re.fullmatch(r"commands/[^/]+/spec-([^_/]+)_[^/]+\.json", rel)
    if m:
        try:
            d = json.load(open(os.path.join(src, rel), encoding="utf-8"))
        except Exception:
            d = None
        v = d.get("schemaVersion") if isinstance(d, dict) else None
        fields = [d.get(k) for k in ("command", "specId", "sessionId", "timestamp")] if d else []
        if type(v) is int and v == 1 and not any(isinstance(f, str) and "${" in f for f in fields):
            cmd = d.get("command") or m.group(1)
            n = 2 if cmd.split("-")[-1] == "unlock" else 1
    print(f"{ev}/{rel}\t{n}")
PY
expected=$(awk -F'\t' '{s += $2} END {print s + 0}' "$WORK/plan.tsv")
telemetry_files=$(awk -F'\t' '$2 > 0' "$WORK/plan.tsv" | wc -l)
echo "evidence tree: $SRC ($(wc -l < "$WORK/plan.tsv") files, $telemetry_files telemetry v1, $expected events); SEED=$SEED"
[ "$telemetry_files" -gt 0 ] || fail "no telemetry v1 file in $SRC"

SENTINEL="$EV/commands/SPEC-KIT-999-sentinel/spec-plan_2030-01-01T00:00:00Z-1.json"
write_sentinel() {  # the last event of a round: with max_in_flight = 1 it arrives after every earlier one
  mkdir -p "$1/$(dirname "$SENTINEL")"
  printf '%s\n' '{"schemaVersion": 1, "command": "spec-ops-plan", "specId": "SPEC-KIT-999", "sessionId": "2030-01-01T00:00:00Z-1", "timestamp": "2030-01-01T00:00:00Z", "baseline": {"status": "passed"}, "artifacts": []}' \
    | save_atomically "$1/$SENTINEL"
}

# start_round NAME REPO: a fresh receiver, state and daemon watching REPO (which already holds SPEC.md).
start_round() {
  local name=$1 repo=$2
  start_receiver "$WORK/$name.jsonl" "$WORK/$name.port" "$WORK/$name-receiver.log" --secret-env PTR_SECRET
  config_toml repo="$repo" state_dir="$WORK/$name-state" \
    -- all "$(local_url "$WORK/$name.port" /)" PTR_SECRET "$ALL_EVENTS" max_in_flight=1 > "$WORK/$name.toml"
  start_daemon_ready "$WORK/$name.toml" "$WORK/$name-daemon.log"
}

end_round() {  # end_round NAME: sentinel delivered -> everything before it was; stop daemon and receiver
  local name=$1 repo=$2
  write_sentinel "$repo"
  wait_until 60 file_has "$WORK/$name.jsonl" "SPEC-KIT-999-sentinel" || fail "$name: sentinel event not delivered"
  kill "$DAEMON_PID" "$RECEIVER_PID"
  wait_until 15 daemon_exited "$DAEMON_PID" || fail "$name: daemon did not stop"
}

# check NAME [ordered]: one event per telemetry v1 file, pointing at it, with its command, session, timestamp;
# any consensus of the same SPEC and stage; nothing else. Prints "N of M events point at their own file":
# with `ordered` (round one: files arrive one at a time and max_in_flight = 1) the k-th events belong to the
# k-th telemetry file of the plan; otherwise an event counts when its file got exactly its events.
check() {
  python3 - "$WORK/$1.jsonl" "$WORK/plan.tsv" "$SRC" "$EV" "$1" "${2:-}" <<'PY'
import json, re, sys
out, plan, src, ev, name, mode = sys.argv[1:7]
order, want = [], {}
for line in open(plan, encoding="utf-8"):
    rel, n = line.rstrip("\n").split("\t")
    if int(n):
        order.append(rel)
        want[rel] = (json.load(open(src + rel[len(ev):], encoding="utf-8")), int(n))
got = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
problems = [f"unverified delivery {g.get('webhook_id')}" for g in got if g.get("verified") is not True]
bodies = [g["body"] for g in got if "SPEC-KIT-999-sentinel" not in ((g["body"].get("telemetry") or {}).get("path") or "")]
def key(spec):
    m = re.match(r"(.*?-\d+)(?:-|$)", spec)
    return m.group(1) if m else spec
STAGE, PIPE = "spec-auto.stage.completed", "spec-auto.pipeline.completed"
per_file = {}
for b in bodies:
    t = b.get("telemetry") or {}
    path = t.get("path")
    if b["type"] not in (STAGE, PIPE):
        problems.append(f"unexpected {b['type']} event"); continue
    per_file.setdefault(path, []).append(b["type"])
    if path not in want:
        problems.append(f"{b['type']} {b.get('stage')} points at {path}: not a telemetry v1 file of the tree"); continue
    d = want[path][0]
    stage = re.sub(r"^spec-(ops-)?", "", d.get("command") or "")
    session = d.get("sessionId") or re.match(r"spec-[^_]+_(.*)\.json$", path.rsplit("/", 1)[1]).group(1)
    for field, value in (("command", d.get("command")), ("session_id", session),
                         ("timestamp", d.get("timestamp")), ("status", b.get("status"))):
        if t.get(field) != value: problems.append(f"{path}: telemetry.{field} = {t.get(field)!r}, want {value!r}")
    if b.get("stage") != stage: problems.append(f"{path}: stage {b.get('stage')!r}, want {stage!r}")
    c = b.get("consensus")
    if c is not None and (c.get("stage") != stage or key(c["path"].rsplit("/", 2)[-2]) != key(path.rsplit("/", 2)[-2])):
        problems.append(f"{path}: consensus {c['path']} is not of the same SPEC and stage")
need = lambda n: sorted([STAGE, PIPE] if n == 2 else [STAGE])
for path, (_, n) in want.items():
    if sorted(per_file.get(path, [])) != need(n):
        problems.append(f"{path}: events {sorted(per_file.get(path, []))}, want {need(n)}")
total = sum(n for _, n in want.values())
if mode == "ordered":
    own, i = 0, 0
    for rel in order:
        n = want[rel][1]
        own += sum(1 for b in bodies[i:i + n] if (b.get("telemetry") or {}).get("path") == rel)
        i += n
else:
    own = sum(n for p, (_, n) in want.items() if sorted(per_file.get(p, [])) == need(n))
with_consensus = sum(1 for b in bodies if b.get("consensus"))
print(f"{name}: {len(bodies)} events for {len(want)} telemetry v1 files; {own} of {total} events point at their"
      f" own file; {with_consensus} carry a consensus record of their stage")
if len(bodies) != total: problems.append(f"{len(bodies)} events, want {total}")
if problems:
    print("\n".join(problems[:40]), file=sys.stderr)
    sys.exit(1)
PY
}

init_repo() {  # init_repo DIR: a Spec Kit checkout with only SPEC.md
  mkdir -p "$1"
  printf '| Task ID | Title | Status | Notes |\n|---|---|---|---|\n| T1 | one | Backlog | |\n' > "$1/SPEC.md"
}

# Round 1: file by file, in the seeded random order; each telemetry file's events are awaited before the next
# file is copied, so every file arrives on its own.
init_repo "$WORK/one"
start_round one "$WORK/one"
n=0
while IFS=$'\t' read -r rel events; do
  mkdir -p "$WORK/one/$(dirname "$rel")"
  cp "$SRC/${rel#"$EV"/}" "$WORK/one/$rel.tmp~" && mv -f "$WORK/one/$rel.tmp~" "$WORK/one/$rel"
  if [ "$events" -gt 0 ]; then
    n=$((n + events))
    wait_until 30 at_least_lines "$WORK/one.jsonl" "$n" || fail "one: no event for $rel (SEED=$SEED)"
  fi
done < "$WORK/plan.tsv"
end_round one "$WORK/one"
failed=""
check one ordered || failed="file by file (SEED=$SEED)"

# Round 2: everything at once, as a `git pull` brings it.
init_repo "$WORK/author"
git -C "$WORK/author" init -q -b main
git -C "$WORK/author" add SPEC.md
git -C "$WORK/author" -c user.name=t -c user.email=t@example.invalid commit -q -m baseline
git clone -q "$WORK/author" "$WORK/two"
mkdir -p "$WORK/author/$EV"
cp -r "$SRC/." "$WORK/author/$EV/"
git -C "$WORK/author" add -A
git -C "$WORK/author" -c user.name=t -c user.email=t@example.invalid commit -q -m evidence
start_round two "$WORK/two"
git -C "$WORK/two" pull -q --ff-only origin main 2>>"$WORK/two-git.log" || fail "git pull failed"
[ "$(git -C "$WORK/two" ls-files "$EV" | wc -l)" -eq "$(wc -l < "$WORK/plan.tsv")" ] || fail "pull did not bring every file"
wait_until 60 at_least_lines "$WORK/two.jsonl" "$expected" || fail "two: $(lines_in "$WORK/two.jsonl") of $expected events after git pull"
end_round two "$WORK/two"
check two || failed="${failed:+$failed; }git pull burst"
[ -z "$failed" ] || fail "$failed"
echo "telemetry pointers: OK"
