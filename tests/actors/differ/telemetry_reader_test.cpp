#define BOOST_TEST_MODULE telemetry_reader
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "actors/differ/markdown.hpp"
#include "actors/differ/telemetry.hpp"
#include "differ_fixtures.hpp"
#include "tests/support/shared_fixtures.hpp"

using namespace spec_notify::differ;
using namespace spec_notify::differ::testing;
namespace fs = std::filesystem;

namespace {
const std::string kEvidence = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/";

telemetry_read shared_telemetry(const std::string& rel) {
  return read_telemetry(slurp(kShared / rel), rel);
}

const std::string kPath =
    kEvidence + "commands/SPEC-KIT-075/spec-validate_2025-10-04T14:08:09Z-844328516.json";

std::string telemetry(const std::string& command, const std::string& body) {
  return R"({"schemaVersion": 1, "command": ")" + command +
         R"(", "specId": "SPEC-KIT-075", "sessionId": "s1", "timestamp": "2025-10-04T14:15:27Z")" + body +
         "}";
}

std::string status_of(const std::string& command, const std::string& body) {
  const auto r = read_telemetry(telemetry(command, body), kPath);
  BOOST_REQUIRE_MESSAGE(r.status == read_status::ok, r.reason);
  return r.value.status;
}

}  // namespace

BOOST_AUTO_TEST_CASE(telemetry_v1_envelope_fields_are_read) {
  const auto r =
      read_telemetry(telemetry("spec-ops-validate", R"(, "scenarios": [{"status": "passed"}])"), kPath);
  BOOST_REQUIRE(r.status == read_status::ok);
  BOOST_TEST(r.reason == "");
  BOOST_TEST(r.value.command == "spec-ops-validate");
  BOOST_TEST(r.value.session_id == "s1");
  BOOST_TEST(r.value.timestamp == "2025-10-04T14:15:27Z");
  BOOST_TEST(r.value.stage == "validate");
  BOOST_TEST(r.value.status == "passed");
  BOOST_TEST(r.value.path == kPath);
  BOOST_TEST(r.value.spec_id == "SPEC-KIT-075");
}

BOOST_AUTO_TEST_CASE(missing_envelope_fields_fall_back_to_the_path) {
  const auto r =
      read_telemetry(R"({"schemaVersion": 1, "unlock_status": "unlocked"})",
                     kEvidence + "commands/SPEC-KIT-DEMO/spec-unlock_2025-10-04T14:28:27Z-25648154.json");
  BOOST_REQUIRE(r.status == read_status::ok);
  BOOST_TEST(r.value.stage == "unlock");
  BOOST_TEST(r.value.session_id == "2025-10-04T14:28:27Z-25648154");
  BOOST_TEST(r.value.spec_id == "SPEC-KIT-DEMO");
  BOOST_TEST(r.value.status == "passed");
}

BOOST_AUTO_TEST_CASE(plan_status_comes_from_baseline_and_hooks) {
  BOOST_TEST(
      status_of("spec-ops-plan", R"(, "baseline": {"status": "passed"}, "hooks": {"session.start": "ok"})") ==
      "passed");
  BOOST_TEST(status_of("spec-ops-plan", R"(, "baseline": {"status": "failed"})") == "failed");
  BOOST_TEST(status_of("spec-ops-plan", R"(, "baseline": {"status": "passed"}, "hooks": {"a": "failed"})") ==
             "failed");
  BOOST_TEST(status_of("spec-ops-plan", R"(, "hooks": {"session.start": "ok"})") == "unknown");
  BOOST_TEST(status_of("spec-ops-plan", R"(, "baseline": {"status": "weird"})") == "unknown");
}

BOOST_AUTO_TEST_CASE(tasks_status_comes_from_tool_status) {
  BOOST_TEST(status_of("spec-ops-tasks", R"(, "tool": {"status": "ready"})") == "passed");
  BOOST_TEST(status_of("spec-ops-tasks", R"(, "tool": {"status": "FAILED"})") == "failed");
  BOOST_TEST(status_of("spec-ops-tasks", R"(, "tool": "ready")") == "unknown");
}

BOOST_AUTO_TEST_CASE(implement_status_comes_from_lock_and_hook_status) {
  BOOST_TEST(status_of("spec-ops-implement", R"(, "lock_status": "locked", "hook_status": "ok")") ==
             "passed");
  BOOST_TEST(status_of("spec-ops-implement", R"(, "lock_status": "locked", "hook_status": "failed")") ==
             "failed");
  BOOST_TEST(status_of("spec-ops-implement", R"(, "lock_status": "error")") == "failed");
  BOOST_TEST(status_of("spec-ops-implement", "") == "unknown");
}

BOOST_AUTO_TEST_CASE(validate_and_audit_fail_when_any_scenario_or_hal_fails) {
  for (const char* command : {"spec-ops-validate", "spec-ops-audit"}) {
    BOOST_TEST(status_of(command, R"(, "scenarios": [{"status": "passed"}, {"status": "skipped"}])") ==
               "passed");
    BOOST_TEST(status_of(command, R"(, "scenarios": [{"status": "passed"}, {"status": "failed"}])") ==
               "failed");
    BOOST_TEST(
        status_of(command,
                  R"(, "scenarios": [{"status": "passed"}], "hal": {"summary": {"status": "failed"}})") ==
        "failed");
    BOOST_TEST(status_of(command, R"(, "scenarios": [], "hal": {"summary": {"status": "passed"}})") ==
               "unknown");
    BOOST_TEST(status_of(command, R"(, "scenarios": [1, "x", {"name": "n"}])") == "unknown");
  }
}

BOOST_AUTO_TEST_CASE(unlock_status_comes_from_unlock_status) {
  BOOST_TEST(status_of("spec-ops-unlock", R"(, "unlock_status": "unlocked")") == "passed");
  BOOST_TEST(status_of("spec-ops-unlock", R"(, "unlock_status": "failed")") == "failed");
  BOOST_TEST(status_of("spec-ops-other", R"(, "unlock_status": "unlocked")") == "unknown");
}

BOOST_AUTO_TEST_CASE(schema_versions_other_than_integer_one_are_skipped) {
  for (const char* version : {R"("2.0")", R"("1")", "2", "1.0", "1.5", "true", "null", "[1]", "{}"}) {
    BOOST_TEST_CONTEXT(version) {
      const auto r =
          read_telemetry(std::string(R"({"schemaVersion": )") + version + R"(, "command": "x"})", kPath);
      BOOST_TEST((r.status == read_status::skipped));
      BOOST_TEST(r.reason.rfind(kPath + ": schemaVersion", 0) == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(files_without_schema_version_are_skipped_as_per_agent_files) {
  const auto r = read_telemetry(R"({"stage": "spec-plan", "agent": "gpt_pro"})", kPath);
  BOOST_TEST((r.status == read_status::skipped));
  BOOST_TEST(r.reason.find("no schemaVersion") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unfilled_placeholders_are_skipped) {
  const auto r = read_telemetry(R"({"schemaVersion": 1, "command": "spec-ops-${stage}"})", kPath);
  BOOST_TEST((r.status == read_status::skipped));
  BOOST_TEST(r.reason.find("placeholder") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_json_is_an_error_naming_the_file_and_valid_non_objects_are_skipped) {
  const std::vector<std::string> bad_inputs{"",
                                            "{",
                                            "{\"schemaVersion\": 1,}",
                                            "not json",
                                            std::string("{\0}", 3),
                                            std::string(1000, '[') + std::string(1000, ']'),
                                            "\xff\xfe"};
  for (const std::string& bad : bad_inputs) {
    const auto r = read_telemetry(bad, kPath);
    BOOST_TEST((r.status == read_status::error));
    BOOST_TEST(r.reason.rfind(kPath + ": ", 0) == 0u);
    BOOST_TEST(markdown::valid_utf8(r.reason) == r.reason);
  }
  BOOST_TEST((read_telemetry("[]", kPath).status == read_status::skipped));
  BOOST_TEST((read_telemetry("[{\"schemaVersion\": 1}]", kPath).status == read_status::skipped));
  for (const char* scalar : {"1", "\"s\"", "null"}) {  // Poco rejects top-level scalars: error is fine too
    BOOST_TEST((read_telemetry(scalar, kPath).status != read_status::ok));
  }
}

BOOST_AUTO_TEST_CASE(mutated_json_never_throws_and_always_explains_itself) {
  const std::string seed = telemetry(
      "spec-ops-validate", R"(, "scenarios": [{"status": "passed"}], "hal": {"summary": {"status": "ok"}})");
  const char alphabet[] = {'{', '}', '[', ']', '"', ':', ',', '1', '\\', '\0', '\xff', ' ', 'e', '-'};
  uint64_t state = 99;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed;
    for (int edits = 1 + next() % 6; edits > 0; --edits) {
      const size_t at = next() % text.size();
      text[at] = alphabet[next() % sizeof(alphabet)];
    }
    const auto t = read_telemetry(text, kPath);
    BOOST_TEST((t.status == read_status::ok || !t.reason.empty()));
    const auto c = read_consensus(text, kEvidence + "consensus/S/spec-plan_x_telemetry.jsonl");
    BOOST_TEST((c.status == read_status::ok || !c.reason.empty()));
  }
}

BOOST_AUTO_TEST_CASE(synthesis_files_give_status_counts_and_stage) {
  const auto r = read_consensus(
      R"({"stage": "spec-plan", "status": "ok", "consensus": {"agreements": ["a", "b"], "conflicts": []}})",
      kEvidence + "consensus/SPEC-KIT-075/spec-plan_2025-10-06T00:19:45Z_synthesis.json");
  BOOST_REQUIRE(r.status == read_status::ok);
  BOOST_TEST(r.value.status == "ok");
  BOOST_TEST(r.value.agreements == 2);
  BOOST_TEST(r.value.conflicts == 0);
  BOOST_TEST(r.value.stage == "plan");
  BOOST_TEST(r.value.path ==
             kEvidence + "consensus/SPEC-KIT-075/spec-plan_2025-10-06T00:19:45Z_synthesis.json");
}

BOOST_AUTO_TEST_CASE(synthesis_with_placeholders_or_without_status_is_skipped) {
  const std::string path = kEvidence + "consensus/SPEC-KIT-075/spec-implement_x_synthesis.json";
  BOOST_TEST(
      (read_consensus(R"({"stage": "${stage}", "status": "ok"})", path).status == read_status::skipped));
  BOOST_TEST((read_consensus(R"({"stage": "spec-plan"})", path).status == read_status::skipped));
  BOOST_TEST((read_consensus("{", path).status == read_status::error));
  BOOST_TEST((read_consensus("  \n", path).status == read_status::skipped));
}

BOOST_AUTO_TEST_CASE(consensus_telemetry_jsonl_uses_its_last_non_empty_line) {
  const std::string path = kEvidence + "consensus/SPEC-KIT-075/spec-tasks_x_telemetry.jsonl";
  const auto r = read_consensus(
      "{\"command\": \"spec-tasks\", \"consensus\": {\"status\": \"conflict\"}}\r\n"
      "{\"schemaVersion\": \"2.0\", \"command\": \"spec-tasks\", \"consensus\": {\"status\": \"ok\", "
      "\"agreements\": 3, \"conflicts\": [1]}}\r\n\r\n",
      path);
  BOOST_REQUIRE(r.status == read_status::ok);
  BOOST_TEST(r.value.status == "ok");
  BOOST_TEST(r.value.agreements == 3);
  BOOST_TEST(r.value.conflicts == 1);
  BOOST_TEST(r.value.stage == "tasks");
  BOOST_TEST(
      (read_consensus("{\"consensus\": {\"status\": \"ok\"}}\n{broken", path).status == read_status::error));
  const auto huge =
      read_consensus(R"({"consensus": {"status": "ok", "agreements": 1e300, "conflicts": -5}})", path);
  BOOST_TEST(huge.value.agreements == 1000000000);
  BOOST_TEST(huge.value.conflicts == 0);
}

BOOST_AUTO_TEST_CASE(path_predicates_recognise_telemetry_and_consensus_files) {
  BOOST_TEST(is_telemetry_path(kPath));
  BOOST_TEST(is_telemetry_path("ev/commands/SPEC-KIT-1/spec-plan_s.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-075/spec-validate_x.log"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-075/baseline_x.md"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-018/20250929-123329Z-hal-health.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-075/spec-validate_.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-075/spec-_x.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/20250926-024834Z-code-mcp-list.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "commands/SPEC-KIT-075/webhooks/spec-x_y.json"));
  BOOST_TEST(!is_telemetry_path(kEvidence + "consensus/SPEC-KIT-075/spec-plan_x.json"));
  BOOST_TEST(!is_telemetry_path(""));
  BOOST_TEST(is_consensus_path(kEvidence + "consensus/SPEC-KIT-045-mini/spec-plan_synthesis.json"));
  BOOST_TEST(is_consensus_path(kEvidence +
                               "consensus/SPEC-KIT-025/spec-implement_2025-10-06T00:36:46Z_telemetry.jsonl"));
  BOOST_TEST(
      !is_consensus_path(kEvidence + "consensus/SPEC-KIT-025/spec-plan_2025-10-06T00:19:45Z_gpt_pro.json"));
  BOOST_TEST(!is_consensus_path(kEvidence + "commands/SPEC-KIT-025/spec-plan_synthesis.json"));
  BOOST_TEST(!is_consensus_path(kEvidence + "consensus/20251005T030032Z-hal-health.txt"));
  BOOST_TEST(!is_consensus_path(""));
}

BOOST_AUTO_TEST_CASE(own_evidence_fixtures_are_read) {
  const std::string t = "evidence/commands/SPEC-KIT-900/spec-validate_2025-11-01T100000Z-1.json";
  BOOST_TEST(is_telemetry_path(t));
  const auto tr = read_telemetry(slurp(kOwn / t), t);
  BOOST_REQUIRE(tr.status == read_status::ok);
  BOOST_TEST(tr.value.status == "failed");
  BOOST_TEST(tr.value.stage == "validate");
  const std::string s = "evidence/consensus/SPEC-KIT-900/spec-plan_2025-11-01T090000Z_synthesis.json";
  BOOST_TEST(is_consensus_path(s));
  const auto sr = read_consensus(slurp(kOwn / s), s);
  BOOST_REQUIRE(sr.status == read_status::ok);
  BOOST_TEST(sr.value.status == "conflict");
  BOOST_TEST(sr.value.agreements == 2);
  BOOST_TEST(sr.value.conflicts == 1);
  const std::string j = "evidence/consensus/SPEC-KIT-900/spec-tasks_2025-11-01T093000Z_telemetry.jsonl";
  const auto jr = read_consensus(slurp(kOwn / j), j);
  BOOST_REQUIRE(jr.status == read_status::ok);
  BOOST_TEST(jr.value.status == "ok");
  BOOST_TEST(jr.value.agreements == 4);
  BOOST_TEST(jr.value.stage == "tasks");
}

BOOST_AUTO_TEST_CASE(real_telemetry_fixtures_give_per_stage_status,
                     spec_notify::testing::needs_shared_fixtures()) {
  const std::string demo = kEvidence + "commands/SPEC-KIT-DEMO/";
  const auto plan = shared_telemetry(demo + "spec-plan_2025-10-05T00:22:04Z-26505108.json");
  BOOST_REQUIRE(plan.status == read_status::ok);
  BOOST_TEST(plan.value.command == "spec-ops-plan");
  BOOST_TEST(plan.value.session_id == "2025-10-05T00:22:04Z-26505108");
  BOOST_TEST(plan.value.timestamp == "2025-10-05T00:26:02Z");
  BOOST_TEST(plan.value.spec_id == "SPEC-KIT-DEMO");
  BOOST_TEST(plan.value.status == "passed");
  BOOST_TEST(shared_telemetry(demo + "spec-tasks_2025-10-04T19:21:23Z-98422386.json").value.status ==
             "passed");
  BOOST_TEST(shared_telemetry(demo + "spec-implement_2025-10-04T14:02:09Z-284428793.json").value.status ==
             "passed");
  BOOST_TEST(shared_telemetry(demo + "spec-validate_2025-10-04T14:08:09Z-844328516.json").value.status ==
             "passed");
  BOOST_TEST(shared_telemetry(demo + "spec-audit_2025-10-04T14:18:19Z-2643511248.json").value.stage ==
             "audit");
  BOOST_TEST(shared_telemetry(demo + "spec-unlock_2025-10-04T14:28:27Z-25648154.json").value.status ==
             "passed");
  const std::string k18 = kEvidence + "commands/SPEC-KIT-018/";
  BOOST_TEST(shared_telemetry(k18 + "spec-audit_2025-09-29T12:33:29Z-218285443.json").value.status ==
             "failed");
  BOOST_TEST(shared_telemetry(k18 + "spec-validate_2025-09-29T16:34:21Z-229132461.json").value.status ==
             "passed");
}

BOOST_AUTO_TEST_CASE(real_consensus_fixtures_are_read_or_skipped_with_a_reason,
                     spec_notify::testing::needs_shared_fixtures()) {
  const std::string k25 = kEvidence + "consensus/SPEC-KIT-025-add-automated-conflict-resolution-with/";
  const std::string synthesis = k25 + "spec-implement_2025-10-06T00:36:46Z_synthesis.json";
  const auto placeholder = read_consensus(slurp(kShared / synthesis), synthesis);
  BOOST_TEST((placeholder.status == read_status::skipped));
  BOOST_TEST(placeholder.reason.find("placeholder") != std::string::npos);
  const std::string jsonl = k25 + "spec-implement_2025-10-06T00:36:46Z_telemetry.jsonl";
  const auto line = read_consensus(slurp(kShared / jsonl), jsonl);
  BOOST_REQUIRE_MESSAGE(line.status == read_status::ok, line.reason);
  BOOST_TEST(line.value.status == "ok");
  BOOST_TEST(line.value.stage == "implement");
  BOOST_TEST(line.value.agreements == 0);
  const std::string agent = k25 + "spec-plan_2025-10-06T00:19:45Z_gpt_pro.json";
  BOOST_TEST(!is_consensus_path(agent));
  BOOST_TEST((shared_telemetry(agent).status == read_status::skipped));
  const std::string mini = kEvidence + "consensus/SPEC-KIT-045-mini/spec-plan_synthesis.json";
  const auto m = read_consensus(slurp(kShared / mini), mini);
  BOOST_REQUIRE(m.status == read_status::ok);
  BOOST_TEST(m.value.status == "ok");
  BOOST_TEST(m.value.agreements == 5);
  BOOST_TEST(m.value.conflicts == 0);
  BOOST_TEST(m.value.stage == "plan");
}

BOOST_AUTO_TEST_CASE(every_real_evidence_file_is_read_without_an_error,
                     spec_notify::testing::needs_shared_fixtures()) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kShared / kEvidence)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), kShared).generic_string();
    const std::string text = slurp(entry.path());
    ++files;
    if (is_telemetry_path(rel)) {
      const auto r = read_telemetry(text, rel);
      BOOST_TEST((r.status == read_status::ok), rel << ": " << r.reason);
    } else if (is_consensus_path(rel)) {
      BOOST_TEST((read_consensus(text, rel).status != read_status::error), rel);
    } else {
      BOOST_TEST((read_telemetry(text, rel).status != read_status::error), rel);
    }
  }
  BOOST_TEST(files >= 12);
}
