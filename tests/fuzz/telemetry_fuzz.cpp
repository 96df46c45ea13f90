// libFuzzer target: spec-auto evidence readers (actors/differ/telemetry.hpp): telemetry v1 JSON under every
// stage's file name, consensus synthesis JSON and telemetry JSONL. Checks: never throws, every returned
// string is valid UTF-8, a non-ok read names the file in its reason, ok reads report a known stage/status.
#include <string>
#include <string_view>

#include "actors/differ/telemetry.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace differ = spec_notify::differ;
using spec_notify::fuzz::is_valid_utf8;

namespace {

constexpr std::string_view kTelemetryPaths[] = {
    "evidence/commands/SPEC-KIT-FUZZ/spec-plan_2025-10-05T00:22:04Z-1.json",
    "evidence/commands/SPEC-KIT-FUZZ/spec-validate_2025-10-04T14:08:09Z-2.json",
    "evidence/commands/SPEC-KIT-FUZZ/spec-unlock_3.json",
    "commands/x/weird.json",
};
constexpr std::string_view kConsensusPaths[] = {
    "evidence/consensus/SPEC-KIT-FUZZ/spec-plan_2025-10-06T00:19:45Z_synthesis.json",
    "evidence/consensus/SPEC-KIT-FUZZ/spec-implement_2025-10-06T00:36:46Z_telemetry.jsonl",
    "evidence/consensus/SPEC-KIT-FUZZ/spec-tasks_synthesis.json",
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void check(const differ::telemetry_read& r, std::string_view path) {
  FUZZ_CHECK(is_valid_utf8(r.reason));
  if (r.status != differ::read_status::ok) {
    FUZZ_CHECK(starts_with(r.reason, path));
    return;
  }
  const auto& v = r.value;
  for (const auto* s : {&v.command, &v.session_id, &v.timestamp, &v.stage, &v.status, &v.path, &v.spec_id})
    FUZZ_CHECK(is_valid_utf8(*s));
  FUZZ_CHECK(v.status == "passed" || v.status == "failed" || v.status == "unknown");
  FUZZ_CHECK(v.path == path);
}

void check(const differ::consensus_read& r, std::string_view path) {
  FUZZ_CHECK(is_valid_utf8(r.reason));
  if (r.status != differ::read_status::ok) {
    FUZZ_CHECK(starts_with(r.reason, path));
    return;
  }
  const auto& v = r.value;
  for (const auto* s : {&v.status, &v.path, &v.stage}) FUZZ_CHECK(is_valid_utf8(*s));
  FUZZ_CHECK(v.agreements >= 0 && v.conflicts >= 0);
  FUZZ_CHECK(v.path == path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto path : kTelemetryPaths) check(differ::read_telemetry(text, path), path);
  for (auto path : kConsensusPaths) check(differ::read_consensus(text, path), path);
  (void)differ::is_telemetry_path(text);
  (void)differ::is_consensus_path(text);
  return 0;
}
