#!/usr/bin/env bash
# spec-auto.consensus.conflict end to end (issue 17 item 5): a consensus synthesis reporting a conflict yields
# exactly one webhook of that type, with stage, status, the conflicting points, agents and telemetry pointer,
# to the subscription that lists the type and to no other; a rewrite with the same conflict, a synthesis
# without one and a restart of the daemon yield nothing more; the payload validates against
# docs/payload-v1.schema.json. Real daemon, real loopback receivers, files written into a temp repo.
source "$(dirname "$0")/lib.sh"
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (deploy/setup.sh --tests installs it)"

# conflict_types FILE: the number of received spec-auto.consensus.conflict deliveries.
conflict_count() {
  [ -f "$1" ] || { echo 0; return; }
  python3 - "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue  # a line being appended right now
    n += j.get("event") == "spec-auto.consensus.conflict"
print(n)
PY
}
has_conflicts() { [ "$(conflict_count "$1")" -ge "$2" ]; }
# has_body_with FILE TEXT: some received body contains TEXT.
has_body_with() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

export CONFLICT_SECRET=$("$BIN" secret new)
ev="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence"
spec="SPEC-KIT-930-consensus"
mkdir -p "$WORK/repo/docs/$spec" "$ev/commands/$spec" "$ev/consensus/$spec"
cat > "$WORK/repo/docs/$spec/tasks.md" <<'MD'
| Task ID | Title | Status |
| --- | --- | --- |
| T1 | First | Backlog |
| T2 | Second | Backlog |
MD
cat > "$ev/commands/$spec/spec-plan_2025-11-02T09:55:00Z-7.json" <<'JSON'
{"schemaVersion": 1, "command": "spec-ops-plan", "specId": "SPEC-KIT-930", "sessionId": "2025-11-02T09:55:00Z-7",
 "timestamp": "2025-11-02T10:00:00Z", "artifacts": [], "baseline": {"status": "passed"}}
JSON
start_receiver "$WORK/conflicts.jsonl" "$WORK/conflicts.port" "$WORK/receiver-conflicts.log" --secret-env CONFLICT_SECRET
start_receiver "$WORK/others.jsonl" "$WORK/others.port" "$WORK/receiver-others.log" --secret-env CONFLICT_SECRET
# "others" lists every other type and orders per SPEC, so a conflict delivery routed to it would come before
# its task event (the proof that none was routed to it).
cat > "$WORK/config.toml" <<TOML
[notify]
admin = "127.0.0.1:$(free_port)"
repo = "repo"
state_dir = "state"
[[notify.subscriptions]]
name = "conflicts"
url = "http://127.0.0.1:$(cat "$WORK/conflicts.port")/"
secret_env = "CONFLICT_SECRET"
events = ["spec-auto.consensus.conflict"]
ordering = "spec"
[[notify.subscriptions]]
name = "others"
url = "http://127.0.0.1:$(cat "$WORK/others.port")/"
secret_env = "CONFLICT_SECRET"
events = ["spec-kit.task.transitioned", "spec-auto.stage.completed", "spec-auto.pipeline.completed"]
statuses = ["Done"]
ordering = "spec"
TOML
"$BIN" check-config --config "$WORK/config.toml" >"$WORK/check-config.log" 2>&1 || fail "config with the new type refused"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 file_has "$WORK/daemon.log" "baseline recorded" || fail "no baseline"

# Not conflicts: status ok with conflicts_resolved only (the real SPEC-KIT-045-mini shape), degraded.
cat > "$ev/consensus/$spec/spec-tasks_2025-11-02T11:00:00Z_synthesis.json" <<'JSON'
{"stage": "spec-tasks", "status": "ok", "consensus": {"agreements": ["a"],
 "conflicts_resolved": [{"issue": "x", "resolution": "y"}]}}
JSON
cat > "$ev/consensus/$spec/spec-validate_synthesis.json" <<'JSON'
{"stage": "spec-validate", "status": "degraded", "agents": [], "consensus": {"agreements": [], "conflicts": []}}
JSON
# The conflict: status conflict, two points (one object), agents, a pointer written by another checkout.
cat > "$ev/consensus/$spec/spec-plan_2025-11-02T10:00:00Z_synthesis.json" <<JSON
{
  "stage": "spec-plan",
  "status": "conflict",
  "telemetry": "/home/dev/code/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/$spec/spec-plan_2025-11-02T09:55:00Z-7.json",
  "agents": ["gemini", {"agent": "claude", "model": "claude-4.5-sonnet"}, "gpt_pro"],
  "consensus": {
    "agreements": ["Keep the spool in LevelDB"],
    "conflicts": ["Retry queue in memory or on disk", {"issue": "Split T2", "positions": {"gemini": "split"}}]
  }
}
JSON
wait_until 15 has_conflicts "$WORK/conflicts.jsonl" 1 || fail "no conflict webhook"

# A rewrite with the same conflict (other formatting, one more agreement) and a resolved one: nothing.
python3 - "$ev/consensus/$spec/spec-plan_2025-11-02T10:00:00Z_synthesis.json" <<'PY'
import json, os, sys
p = sys.argv[1]
d = json.load(open(p))
d["consensus"]["agreements"].append("Ship behind a flag")
d["status"] = "Conflict"
open(p + ".tmp~", "w").write(json.dumps(d))
os.rename(p + ".tmp~", p)
PY
# Sentinel for "others": a task event; with ordering = spec, a conflict routed to it would arrive first.
sed 's/| T1 | First | Backlog |/| T1 | First | Done |/' "$WORK/repo/docs/$spec/tasks.md" | save_atomically "$WORK/repo/docs/$spec/tasks.md"
wait_until 15 has_body_with "$WORK/others.jsonl" '"T1"' || fail "no task event for the other subscription"
# Sentinel for "conflicts": another conflict in the same SPEC (ordering = spec): when it arrives, anything the
# rewrite above could have caused has arrived before it.
cat > "$ev/consensus/$spec/spec-audit_2025-11-02T12:00:00Z_synthesis.json" <<'JSON'
{"stage": "spec-audit", "status": "ok", "consensus": {"agreements": [], "conflicts": ["sentinel one"]}}
JSON
wait_until 15 has_body_with "$WORK/conflicts.jsonl" 'sentinel one' || fail "no webhook for the first sentinel"
[ "$(conflict_count "$WORK/conflicts.jsonl")" -eq 2 ] || fail "a rewrite with the same conflict was announced again"

# Restart: the watcher's first report offers every synthesis again; nothing may be announced twice.
kill -TERM "$DAEMON_PID"
wait_until 20 daemon_exited "$DAEMON_PID" || fail "daemon did not stop"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
cat > "$ev/consensus/$spec/spec-implement_2025-11-02T13:00:00Z_synthesis.json" <<'JSON'
{"stage": "spec-implement", "status": "DISAGREEMENT", "consensus": {"agreements": [], "conflicts": ["sentinel two"]}}
JSON
wait_until 20 has_body_with "$WORK/conflicts.jsonl" 'sentinel two' || fail "no webhook for the second sentinel"
[ "$(conflict_count "$WORK/conflicts.jsonl")" -eq 3 ] || fail "conflicts announced again after a restart"

python3 - "$WORK/conflicts.jsonl" "$WORK/others.jsonl" "$TEST_DIR/../docs/payload-v1.schema.json" "$spec" <<'PY'
import json, sys, jsonschema
conflicts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
others = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
schema = json.load(open(sys.argv[3]))
spec = sys.argv[4]
for g in conflicts + others:
    assert g["verified"] is True, g
    jsonschema.validate(g["body"], schema)
assert [g["event"] for g in conflicts] == ["spec-auto.consensus.conflict"] * 3, [g["event"] for g in conflicts]
assert all(g["body"]["type"] != "spec-auto.consensus.conflict" for g in others), others
assert [g["body"]["type"] for g in others] == ["spec-kit.task.transitioned"], [g["body"]["type"] for g in others]
b = conflicts[0]["body"]
assert (b["stage"], b["status"]) == ("plan", "conflict"), b
assert b["spec"]["id"] == spec and b["spec"]["key"] == "SPEC-KIT-930", b["spec"]
c = b["consensus"]
assert c["path"].endswith(f"consensus/{spec}/spec-plan_2025-11-02T10:00:00Z_synthesis.json"), c
assert c["conflict_points"] == ["Retry queue in memory or on disk", "Split T2"], c
assert c["conflicts"] == 2 and c["agreements"] == 1 and c["conflicts_truncated"] is False, c
assert c["agents"] == ["gemini", "claude", "gpt_pro"] and c["agents_truncated"] is False, c
assert c["telemetry"].startswith("/home/dev/code/") and c["telemetry"].endswith("spec-plan_2025-11-02T09:55:00Z-7.json"), c
t = b["telemetry"]
assert t["command"] == "spec-ops-plan" and t["path"].endswith(f"commands/{spec}/spec-plan_2025-11-02T09:55:00Z-7.json"), t
assert b["evidence"] == [c["path"], t["path"]], b["evidence"]
assert [g["body"]["stage"] for g in conflicts[1:]] == ["audit", "implement"], conflicts
assert [g["body"]["sequence"] for g in conflicts] == [1, 2, 3], [g["body"]["sequence"] for g in conflicts]
print("consensus conflict events: OK")
PY
