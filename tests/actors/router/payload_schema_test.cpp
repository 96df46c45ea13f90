#define BOOST_TEST_MODULE payload_schema
// Renders payloads for every event type (and hostile inputs) and validates them against
// docs/payload-v1.schema.json with python3-jsonschema. Also checks that the schema rejects payloads that
// break the contract, so a vacuous schema cannot pass. Fails (does not skip) when python3-jsonschema is
// missing.
#include <unistd.h>

#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "actors/router/payload.hpp"
#include "actors/store/records.hpp"

namespace fs = std::filesystem;
using spec_notify::event;
namespace et = spec_notify::event_type;
using spec_notify::router::render_payload;

namespace {

const fs::path schema_path = fs::path(SPEC_NOTIFY_TEST_DIR) / ".." / "docs" / "payload-v1.schema.json";

// Validates every *.json under <dir>/valid (must pass) and <dir>/invalid (must fail); prints one line per
// file.
constexpr const char* validator_py = R"PY(
import json, pathlib, sys
try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is missing: install it with `apt-get install -y python3-jsonschema`")
    sys.exit(3)
schema = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
root, bad = pathlib.Path(sys.argv[2]), 0
for expect_ok in (True, False):
    for f in sorted((root / ("valid" if expect_ok else "invalid")).glob("*.json")):
        raw = f.read_bytes()
        doc = json.loads(raw.decode("utf-8", errors="strict"))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if expect_ok and errors:
            bad += 1
            print(f"FAIL {f.name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors))
        elif not expect_ok and not errors:
            bad += 1
            print(f"FAIL {f.name}: schema accepted a payload that breaks the contract")
        else:
            print(f"ok   {f.name}")
sys.exit(1 if bad else 0)
)PY";

std::string python() {
  if (const char* p = std::getenv("SPEC_NOTIFY_PYTHON")) return p;
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("payload_schema_test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path / "valid");
    fs::create_directories(path / "invalid");
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  BOOST_REQUIRE(out.good());
}

// Runs the validator; returns its exit status and appends its output to `output`.
int run_validator(const fs::path& dir, std::string& output) {
  write(dir / "validate.py", validator_py);
  const std::string cmd = "'" + python() + "' '" + (dir / "validate.py").string() + "' '" +
                          schema_path.string() + "' '" + dir.string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(pipe != nullptr, "cannot run " << cmd);
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

event base(const char* type) {
  event e;
  e.id = "evt_0123456789";
  e.type = type;
  e.occurred_at_ms = 1795568523456;
  e.spec_id = "SPEC-KIT-075-add-webhook-notification-system-for";
  return e;
}

event task(const char* type, const std::string& from) {
  event e = base(type);
  e.task_id = "T63";
  e.task_title = "Sign payloads";
  e.from = from;
  e.to = "Done";
  e.raw_status = "**DONE**";
  e.source = "SPEC.md";
  e.line = 42;
  return e;
}

event stage(const char* type) {
  event e = base(type);
  e.stage = "implement";
  e.status = "passed";
  return e;
}

spec_notify::event_context full_context() {
  spec_notify::event_context c;
  c.telemetry = R"({"command":"spec-ops-validate","session_id":"s1","timestamp":"2026-11-25T01:00:00Z",)"
                R"("status":"passed","path":"docs/x.json","extra":[1,2]})";
  c.consensus = R"({"status":"ok","agreements":4,"conflicts":0,"path":"docs/c.json"})";
  c.evidence = {"docs/a.json", "docs/b.json"};
  return c;
}

// The context of an evt/ record whose context_json member holds `text` (a damaged record: what the router
// reads back after a restart).
spec_notify::event_context context_from_disk(const std::string& text) {
  event e;
  const std::string record =
      R"({"id":"evt_1","type":"t","context_json":)" + spec_notify::router::json_string(text) + "}";
  BOOST_REQUIRE(spec_notify::store::decode(record, e));
  return e.context;
}

// A consensus-conflict event as the differ builds it (differ::conflict_context's shape).
event conflict() {
  event e = base(et::consensus_conflict);
  e.stage = "plan";
  e.status = "conflict";
  e.source = "docs/e/consensus/SPEC-KIT-075/spec-plan_2026-11-25T01:00:00Z_synthesis.json";
  e.context.consensus =
      R"({"status":"conflict","agreements":1,"conflicts":2,"stage":"plan",)"
      R"("path":"docs/e/consensus/SPEC-KIT-075/spec-plan_2026-11-25T01:00:00Z_synthesis.json",)"
      R"("conflict_points":["a","b"],"conflicts_truncated":false,"agents":["gemini","claude"],)"
      R"("agents_truncated":false,"telemetry":"/home/x/commands/SPEC-KIT-075/spec-plan_1-1.json"})";
  e.context.evidence = {"docs/e/consensus/SPEC-KIT-075/spec-plan_2026-11-25T01:00:00Z_synthesis.json"};
  return e;
}

std::string hostile() {
  return std::string("q\"b\\s\n\r\t\x01\x7f\xFF\xC0\xAF\xED\xA0\x80 \xE2\x80\xA8 <>&") + '\0';
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_rendered_payload_validates_and_contract_breaking_payloads_do_not) {
  BOOST_REQUIRE_MESSAGE(fs::exists(schema_path), "schema not found at " << schema_path);
  temp_dir dir;
  int n = 0;
  auto valid = [&](const std::string& name, const event& e) {
    ++n;
    const std::string num = (n < 10 ? "0" : "") + std::to_string(n);
    write(dir.path / "valid" / (num + "-" + name + ".json"), render_payload(e, "msg_0123", 1, "T1"));
  };

  valid("task", task(et::task_transitioned, "In Progress"));
  valid("task-from-null", task(et::task_transitioned, ""));
  for (const char* type : {et::stage_completed, et::pipeline_completed}) valid("stage", stage(type));
  valid("test-task", task(et::test, "Backlog"));
  valid("test-stage", stage(et::test));
  for (const char* type : {et::task_transitioned, et::stage_completed, et::pipeline_completed, et::test}) {
    event t = std::string(type) == et::stage_completed || std::string(type) == et::pipeline_completed
                  ? stage(type)
                  : task(type, "Blocked");
    t.spec_id.clear();
    valid("no-spec", t);
    t.context = full_context();
    valid("with-context", t);
    t.context.telemetry = "null";
    t.context.consensus = "{\"status\":" + spec_notify::router::json_string(hostile()) + "}";
    t.context.evidence = {hostile()};
    valid("hostile-context", t);
    t.context = context_from_disk("{\"telemetry\":null,\"consensus\":{\"status\":\"" + hostile() +
                                  "\"},\"evidence\":[\"" + hostile() + "\"]}");
    valid("hostile-context-from-disk", t);
    t.context = context_from_disk(hostile());
    valid("garbage-context", t);
  }
  event h = task(et::task_transitioned, "");
  h.id = "evt_" + hostile();
  h.spec_id = "SPEC-" + hostile();
  h.task_id = h.task_title = h.raw_status = h.source = hostile();
  h.line = 2147483647;
  valid("hostile-task", h);
  event hs = stage(et::pipeline_completed);
  hs.stage = hs.status = hostile();
  valid("hostile-stage", hs);

  valid("conflict", conflict());
  event lost = conflict();  // context damaged: the payload still has its consensus object
  lost.context = context_from_disk(hostile());
  valid("conflict-garbage-context", lost);

  const std::string ok = render_payload(task(et::task_transitioned, "In Progress"), "msg_1", 1, "T1");
  const std::string st = render_payload(stage(et::stage_completed), "msg_1", 1, "T1");
  auto invalid = [&](const std::string& name, const std::string& text) {
    write(dir.path / "invalid" / (name + ".json"), text);
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    const auto pos = s.find(from);
    BOOST_REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
  };
  invalid("task-event-without-task", replace(ok, R"("task":{)", R"("stage":"x","status":"y","nottask":{)"));
  invalid("stage-event-with-task", replace(st, R"("stage":)", R"("task":{},"stage":)"));
  invalid("stage-event-without-status", replace(st, R"(,"status":"passed")", ""));
  invalid("telemetry-is-a-string", replace(ok, R"("telemetry":null)", R"("telemetry":"x")"));
  invalid("extra-top-level-key", replace(ok, R"("evidence":[])", R"("evidence":[],"extra":1)"));
  invalid("unknown-status", replace(ok, R"("to":"Done")", R"("to":"Finished")"));
  invalid("wrong-schema-version", replace(ok, R"("schema_version":1)", R"("schema_version":2)"));
  invalid("missing-evidence", replace(ok, R"(,"evidence":[])", ""));
  const std::string cf = render_payload(conflict(), "msg_1", 1, "SPEC-KIT-075");
  invalid("conflict-without-points", replace(cf, R"("conflict_points":["a","b"],)", ""));
  invalid("conflict-points-not-strings",
          replace(cf, R"("conflict_points":["a","b"])", R"("conflict_points":[1])"));
  invalid("conflict-with-summary-consensus", replace(cf, cf.substr(cf.find(R"("consensus":{)")),
                                                     R"("consensus":{"status":"ok"},"evidence":[]})"));
  invalid("conflict-consensus-null",
          replace(cf, cf.substr(cf.find(R"("consensus":{)")), R"("consensus":null,"evidence":[]})"));
  invalid("conflict-with-task", replace(cf, R"("stage":)", R"("task":{},"stage":)"));
  invalid("conflict-truncated-not-bool",
          replace(cf, R"("conflicts_truncated":false)", R"("conflicts_truncated":"no")"));

  std::string output;
  const int rc = run_validator(dir.path, output);
  BOOST_TEST_MESSAGE(output);
  BOOST_REQUIRE_MESSAGE(rc != 127, python()
                                       << " not found (install python3 and python3-jsonschema): " << output);
  BOOST_REQUIRE_MESSAGE(rc != 3, output);
  BOOST_TEST(rc == 0, "validator exit " << rc << ":\n" << output);
  BOOST_TEST(output.find("ok   01-task.json") != std::string::npos, output);
}
