// libFuzzer target: the Spec Kit markdown task-table / checklist reader (actors/differ/task_table.hpp).
// The input is the file text; it is parsed under several repo paths (tracker, per-SPEC tasks.md, odd paths)
// because the path decides spec_id. Checks the header's promises: no throw, valid NUL-free UTF-8 in every
// field, unique ids, plausible line numbers.
#include <set>
#include <string>
#include <string_view>

#include "actors/differ/task_table.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace differ = spec_notify::differ;

namespace {

constexpr std::string_view kPaths[] = {"SPEC.md", "docs/SPEC-KIT-075-fuzz/tasks.md", "docs/tasks.md",
                                       "docs//tasks.md", "notes/README.md"};

void check(const differ::parse_result& r, std::string_view text) {
  size_t lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  std::set<std::string> ids;
  for (const auto& row : r.rows) {
    FUZZ_CHECK(spec_notify::fuzz::is_valid_utf8(row.id));
    FUZZ_CHECK(spec_notify::fuzz::is_valid_utf8(row.title));
    FUZZ_CHECK(spec_notify::fuzz::is_valid_utf8(row.raw_status));
    FUZZ_CHECK(spec_notify::fuzz::is_valid_utf8(row.spec_id));
    FUZZ_CHECK(ids.insert(row.id).second);  // an id appears at most once
    FUZZ_CHECK(row.line >= 1 && static_cast<size_t>(row.line) <= lines);
    FUZZ_CHECK(differ::canonical_name(row.status) != nullptr);
  }
  for (const auto& w : r.warnings) FUZZ_CHECK(spec_notify::fuzz::is_valid_utf8(w));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto path : kPaths) check(differ::parse_task_file(text, path), text);
  // Mid-write mode only ever leaves rows out: its rows are a subset of the normal parse's.
  differ::parse_options mid_write;
  mid_write.tail_may_be_partial = true;
  const auto whole = differ::parse_task_file(text, "SPEC.md");
  const auto partial = differ::parse_task_file(text, "SPEC.md", mid_write);
  check(partial, text);
  FUZZ_CHECK(partial.rows.size() <= whole.rows.size());
  FUZZ_CHECK(partial.rows.size() + 1 >= whole.rows.size());
  // The path helpers take arbitrary strings too (paths come from the file system).
  (void)differ::spec_id_from_path(text);
  (void)differ::spec_id_in_text(text);
  return 0;
}
