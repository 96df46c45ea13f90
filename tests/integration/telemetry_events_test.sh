#!/usr/bin/env bash
# Telemetry v1 end to end: a new spec-<stage>_<session>.json in the evidence commands/ tree yields one
# spec-auto.stage.completed delivery (unlock also spec-auto.pipeline.completed); task events carry the SPEC's
# latest telemetry and consensus; unknown schemas and broken JSON are skipped without harm; every payload
# validates against docs/payload-v1.schema.json.
source "$(dirname "$0")/lib.sh"
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (deploy/setup.sh --tests installs it)"

new_secret TEL_SECRET
ev="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence"
mkdir -p "$WORK/repo/docs/SPEC-KIT-300-telemetry"
cat > "$WORK/repo/docs/SPEC-KIT-300-telemetry/tasks.md" <<'MD'
| Order | Task | Owner | Status | Validation |
| --- | --- | --- | --- | --- |
| 1 | T300-1: Wire telemetry | Code | In Progress | - |
MD
start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env TEL_SECRET
config_toml -- all "$(local_url "$WORK/recv.port" /)" TEL_SECRET "$ALL_EVENTS" > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

# The commands/ folder does not exist yet: the watcher must notice the new tree.
mkdir -p "$ev/commands/SPEC-KIT-300"
cat > "$ev/commands/SPEC-KIT-300/spec-validate_2025-10-04T14:08:09Z-1.json" <<'JSON'
{"schemaVersion": 1, "command": "spec-ops-validate", "specId": "SPEC-KIT-300", "sessionId": "2025-10-04T14:08:09Z-1",
 "timestamp": "2025-10-04T14:08:09Z", "artifacts": [{"path": "x.log"}],
 "scenarios": [{"name": "smoke", "status": "passed"}], "hal": {"summary": {"status": "failed", "failed_checks": ["graphql"]}}}
JSON
wait_until 10 has_lines "$WORK/received.jsonl" 1 || fail "no stage event for a new telemetry file"
# Skipped without harm: schema 2.0, a per-agent file, broken JSON.
echo '{"schemaVersion": "2.0", "command": "spec-ops-plan"}' > "$ev/commands/SPEC-KIT-300/spec-plan_2025-10-05T00:00:00Z-2.json"
echo '{"agent": "gemini"}' > "$ev/commands/SPEC-KIT-300/spec-plan_2025-10-05T00:00:01Z-3.json"
printf '{"schemaVersion": 1, "comm' > "$ev/commands/SPEC-KIT-300/spec-plan_2025-10-05T00:00:02Z-4.json"
mkdir -p "$ev/consensus/SPEC-KIT-300"
cat > "$ev/consensus/SPEC-KIT-300/spec-validate_2025-10-04T14:09:00Z_synthesis.json" <<'JSON'
{"stage": "spec-validate", "status": "ok", "consensus": {"agreements": ["a", "b", "c"], "conflicts": []}}
JSON
cat > "$ev/commands/SPEC-KIT-300/spec-unlock_2025-10-04T14:28:27Z-5.json" <<'JSON'
{"schemaVersion": 1, "command": "spec-ops-unlock", "specId": "SPEC-KIT-300", "sessionId": "2025-10-04T14:28:27Z-5",
 "timestamp": "2025-10-04T14:28:27Z", "artifacts": [], "unlock_status": "unlocked"}
JSON
wait_until 10 has_lines "$WORK/received.jsonl" 3 || fail "unlock should give a stage and a pipeline event"
sed 's/In Progress/Done/' "$WORK/repo/docs/SPEC-KIT-300-telemetry/tasks.md" | save_atomically "$WORK/repo/docs/SPEC-KIT-300-telemetry/tasks.md"
wait_until 10 has_lines "$WORK/received.jsonl" 4 || fail "task event missing"

python3 - "$WORK/received.jsonl" "$TEST_DIR/../docs/payload-v1.schema.json" <<'PY'
import json, sys, jsonschema
got = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
schema = json.load(open(sys.argv[2]))
for g in got:
    assert g["verified"] is True, g
    jsonschema.validate(g["body"], schema)
types = [g["body"]["type"] for g in got]
# The unlock's stage and pipeline events are sent concurrently (max_in_flight 4): their order may vary.
assert types[0] == "spec-auto.stage.completed" and types[3] == "spec-kit.task.transitioned", types
assert sorted(types[1:3]) == ["spec-auto.pipeline.completed", "spec-auto.stage.completed"], types
v, t = got[0]["body"], got[3]["body"]
u = next(g["body"] for g in got[1:3] if g["body"]["type"] == "spec-auto.stage.completed")
p = next(g["body"] for g in got[1:3] if g["body"]["type"] == "spec-auto.pipeline.completed")
assert (v["stage"], v["status"]) == ("validate", "failed"), v
assert (u["stage"], u["status"]) == ("unlock", "passed"), u
assert p["status"] == "passed"
assert t["task"]["id"] == "T300-1" and t["task"]["to"] == "Done"
assert t["telemetry"]["command"] == "spec-ops-unlock", t["telemetry"]
assert t["consensus"] == {**t["consensus"], "status": "ok", "agreements": 3, "conflicts": 0}, t["consensus"]
assert any("spec-validate_2025-10-04T14:08:09Z-1.json" in e for e in t["evidence"]), t["evidence"]
print("telemetry events: OK")
PY
