#!/usr/bin/env bash
# Issue 12: docs/payload-v1.schema.json compiles under ajv `strict: true` (and python3-jsonschema's
# check_schema), and real payloads of every event type produced by the daemon -- task.transitioned (with and
# without telemetry, from null and from a status), stage.completed and pipeline.completed -- validate against
# it in strict mode. Payloads that break the task/stage shape must not.
source "$(dirname "$0")/lib.sh"
ensure_verifiers
[ -d "$TEST_DIR/integration/node_modules/ajv" ] && [ -d "$TEST_DIR/integration/node_modules/ajv-formats" ] ||
  fail "ajv missing: run (cd tests/integration && npm install) or deploy/setup.sh --tests"
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (deploy/setup.sh --tests installs it)"
SCHEMA="$TEST_DIR/../docs/payload-v1.schema.json"

new_secret PS_SECRET
ev="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence"
mkdir -p "$WORK/repo/docs/SPEC-KIT-310-schema" "$WORK/repo/docs/SPEC-KIT-311-plain"
tasks() {  # tasks FILE STATUS [EXTRA ROW]
  printf '| Order | Task | Owner | Status |\n| --- | --- | --- | --- |\n| 1 | T310-1: Schema | Code | %s |\n%s' \
    "$2" "${3:-}" | save_atomically "$1"
}
tasks "$WORK/repo/docs/SPEC-KIT-310-schema/tasks.md" "In Progress"
tasks "$WORK/repo/docs/SPEC-KIT-311-plain/tasks.md" "Backlog"
start_receiver "$WORK/received.jsonl" "$WORK/recv.port" "$WORK/receiver.log" --secret-env PS_SECRET
config_toml admin=off -- all "$(local_url "$WORK/recv.port" /)" PS_SECRET max_in_flight=1 "$ALL_EVENTS" \
  'statuses=["Done", "In Review", "In Progress", "Blocked", "Backlog", "Other"]' > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

mkdir -p "$ev/commands/SPEC-KIT-310" "$ev/consensus/SPEC-KIT-310"
cat > "$ev/consensus/SPEC-KIT-310/spec-plan_2025-11-01T10:00:00Z_synthesis.json" <<'JSON'
{"stage": "spec-plan", "status": "ok", "consensus": {"agreements": ["a", "b"], "conflicts": ["c"]}}
JSON
cat > "$ev/commands/SPEC-KIT-310/spec-plan_2025-11-01T10:00:00Z-1.json" <<'JSON'
{"schemaVersion": 1, "command": "spec-ops-plan", "specId": "SPEC-KIT-310", "sessionId": "2025-11-01T10:00:00Z-1",
 "timestamp": "2025-11-01T10:00:00Z", "artifacts": [{"path": "plan.md"}], "baseline": {"status": "passed"}}
JSON
wait_until 10 has_lines "$WORK/received.jsonl" 1 || fail "no stage event"
cat > "$ev/commands/SPEC-KIT-310/spec-unlock_2025-11-01T11:00:00Z-2.json" <<'JSON'
{"schemaVersion": 1, "command": "spec-ops-unlock", "specId": "SPEC-KIT-310", "sessionId": "2025-11-01T11:00:00Z-2",
 "timestamp": "2025-11-01T11:00:00Z", "artifacts": [], "unlock_status": "unlocked"}
JSON
wait_until 10 has_lines "$WORK/received.jsonl" 3 || fail "unlock should give a stage and a pipeline event"
# Task events: with telemetry (SPEC-KIT-310), without (SPEC-KIT-311), from a status and from null (new row).
tasks "$WORK/repo/docs/SPEC-KIT-310-schema/tasks.md" "Done" '| 2 | T310-2: New row | Code | Blocked |
'
tasks "$WORK/repo/docs/SPEC-KIT-311-plain/tasks.md" "**Waiting on legal**"
wait_until 10 has_lines "$WORK/received.jsonl" 6 || fail "task events missing"
n=$(line_count "$WORK/received.jsonl")
[ "$n" = 6 ] || fail "expected 6 deliveries, got $n"

node - "$WORK/received.jsonl" "$SCHEMA" "$TEST_DIR/integration/node_modules" <<'JS' || fail "ajv strict validation"
const fs = require("node:fs");
const assert = require("node:assert/strict");
const [file, schemaPath, modules] = process.argv.slice(2);
const Ajv2020 = require(`${modules}/ajv/dist/2020`).default;
const addFormats = require(`${modules}/ajv-formats`);
const ajv = new Ajv2020({ strict: true, allErrors: true }); // strictTypes, strictRequired, strictTuples: all on
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8"))); // throws on any strict issue
const got = fs.readFileSync(file, "utf8").trim().split("\n").map(JSON.parse);
for (const g of got) {
  assert.equal(g.verified, true);
  assert.ok(validate(g.body), `${g.body.type}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(g.body)}`);
}
const types = got.map((g) => g.body.type);
for (const t of ["spec-kit.task.transitioned", "spec-auto.stage.completed", "spec-auto.pipeline.completed"])
  assert.ok(types.includes(t), `no ${t} among ${types}`);
const tasks = got.filter((g) => g.body.type === "spec-kit.task.transitioned").map((g) => g.body);
assert.equal(tasks.length, 3);
assert.ok(tasks.some((t) => t.task.from === null), "a task event from null");
assert.ok(tasks.some((t) => t.telemetry === null && t.task.to === "Other"), "a task event without telemetry");
assert.ok(tasks.some((t) => t.telemetry !== null && t.consensus !== null), "a task event with both records");
// The validator has teeth: shapes the schema forbids are refused.
const task = tasks[0], stage = got.find((g) => g.body.type === "spec-auto.stage.completed").body;
assert.ok(!validate({ ...task, stage: "plan" }), "task event with a stage key");
assert.ok(!validate({ ...task, status: "passed" }), "task event with a status key");
const { task: _omit, ...taskless } = task;
assert.ok(!validate(taskless), "task event without task");
assert.ok(!validate({ ...stage, task: task.task }), "stage event with a task");
const { status: _s, ...statusless } = stage;
assert.ok(!validate(statusless), "stage event without status");
fs.writeFileSync(`${file}.bodies`, got.map((g) => JSON.stringify(g.body)).join("\n") + "\n");
console.log(`ajv strict: ${got.length} payloads (${[...new Set(types)].join(", ")}) valid`);
JS

python3 - "$WORK/received.jsonl.bodies" "$SCHEMA" <<'PY' || fail "python3-jsonschema validation"
import json, sys, jsonschema
schema = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
for line in open(sys.argv[1]):
    if line.strip():
        body = json.loads(line)
        errors = [e.message for e in v.iter_errors(body)]
        assert not errors, (body["type"], errors)
print("python3-jsonschema: all payloads valid")
PY
echo "PASS payload_schema_strict_test"
