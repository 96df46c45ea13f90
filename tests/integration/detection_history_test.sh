#!/usr/bin/env bash
# Detection over a saved history: 40 versions of SPEC.md and a tasks.md, one save every 250 ms (alternating
# atomic rename and in-place rewrite, as git and editors do), random status flips in sloppy real-world
# spellings. Every transition into Done / In Review must arrive exactly once, nothing else may arrive.
source "$(dirname "$0")/lib.sh"

new_secret HIST_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-200-history" "$WORK/versions"
python3 - "$WORK/versions" <<'PY'
import json, random, sys
out = sys.argv[1]
rnd = random.Random(7)
spell = {"Done": ["Done", "**DONE**", "Done (2025-09-29)", "✅ Complete", "merged"],
         "In Review": ["In Review", "**NEEDS REVIEW**", "ready for review"],
         "In Progress": ["In Progress", "**IN PROGRESS**", "wip"],
         "Backlog": ["Backlog", "todo", "Planned"],
         "Blocked": ["Blocked (HAL secret)", "blocked"]}
ids = [f"T{i}" for i in range(1, 21)]
state = {i: "Backlog" for i in ids}
sub = {f"T200-{i}": "Backlog" for i in range(1, 6)}
expected = []
def render():
    spec = "# Tracker\n\n| Order | Task ID | Title | Status | Notes |\n| --- | --- | --- | --- | --- |\n"
    for n, i in enumerate(ids, 1):
        spec += f"| {n} | {i} | task {i} | {rnd.choice(spell[state[i]])} | docs/SPEC-KIT-200-history/ |\n"
    tasks = "| Order | Task | Owner | Status | Validation |\n| --- | --- | --- | --- | --- |\n"
    for n, (i, s) in enumerate(sub.items(), 1):
        tasks += f"| {n} | {i}: sub task | Code | {rnd.choice(spell[s])} | - |\n"
    return spec, tasks
for v in range(41):
    if v > 0:
        touched = set()  # one flip per task per version: a save shows only the net change
        for _ in range(rnd.randint(1, 4)):
            table = state if rnd.random() < 0.8 else sub
            k = rnd.choice(list(table))
            if k in touched:
                continue
            touched.add(k)
            new = rnd.choice([s for s in spell if s != table[k]])
            if new in ("Done", "In Review"):
                expected.append({"task": k, "from": table[k], "to": new})
            table[k] = new
    spec, tasks = render()
    open(f"{out}/{v:03d}.spec", "w").write(spec)
    open(f"{out}/{v:03d}.tasks", "w").write(tasks)
json.dump(expected, open(f"{out}/expected.json", "w"))
PY
cp "$WORK/versions/000.spec" "$WORK/repo/SPEC.md"
cp "$WORK/versions/000.tasks" "$WORK/repo/docs/SPEC-KIT-200-history/tasks.md"

start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env HIST_SECRET
config_toml -- history "$(local_url "$WORK/recv.port" /)" HIST_SECRET 'statuses=["Done", "In Review"]' \
  > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

for v in $(seq 1 40); do
  f=$(printf '%03d' "$v")
  if [ $((v % 2)) -eq 0 ]; then
    save_atomically "$WORK/repo/SPEC.md" < "$WORK/versions/$f.spec"
    cat "$WORK/versions/$f.tasks" > "$WORK/repo/docs/SPEC-KIT-200-history/tasks.md"
  else
    cat "$WORK/versions/$f.spec" > "$WORK/repo/SPEC.md"
    save_atomically "$WORK/repo/docs/SPEC-KIT-200-history/tasks.md" < "$WORK/versions/$f.tasks"
  fi
  sleep 0.25   # the scenario's pace (one saved version every 250 ms), not a wait for a result
done
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/versions/expected.json")
wait_until 20 has_lines "$WORK/received.jsonl" "$want" || fail "got $(line_count "$WORK/received.jsonl") of $want deliveries"
# Sentinel: one more known transition proves nothing else was still in flight.
sed 's/| 1 | T1 | task T1 | [^|]*|/| 1 | T1 | task T1 | Blocked |/' "$WORK/repo/SPEC.md" | save_atomically "$WORK/repo/SPEC.md.new"
mv "$WORK/repo/SPEC.md.new" "$WORK/repo/SPEC.md"
printf '| 99 | T99 | sentinel | Done | x |\n' >> "$WORK/repo/SPEC.md"
wait_until 10 has_lines "$WORK/received.jsonl" $((want + 1)) || fail "sentinel missing"

python3 - "$WORK/versions/expected.json" "$WORK/received.jsonl" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
got = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = [g for g in got if g.get("verified") is not True]
assert not bad, f"unverified deliveries: {len(bad)}"
seen = [(g["body"]["task"]["id"], g["body"]["task"]["from"], g["body"]["task"]["to"]) for g in got]
assert seen[-1][0] == "T99", f"sentinel should come last: {seen[-1]}"
seen = seen[:-1]
want = [(e["task"], e["from"], e["to"]) for e in expected]
from collections import Counter
missing, extra = Counter(want) - Counter(seen), Counter(seen) - Counter(want)
assert not missing and not extra, f"missing={dict(missing)} extra={dict(extra)}"
print(f"history replay: {len(want)} transitions into Done/In Review delivered exactly once")
PY
