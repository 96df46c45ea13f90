#define BOOST_TEST_MODULE task_table_fixtures
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "actors/differ/task_table.hpp"
#include "differ_fixtures.hpp"
#include "print_status.hpp"
#include "tests/support/shared_fixtures.hpp"

using namespace spec_notify::differ;
using namespace spec_notify::differ::testing;
namespace fs = std::filesystem;

namespace {

parse_result parse(const fs::path& root, const std::string& rel) {
  return parse_task_file(slurp(root / rel), rel);
}

const task_row& get(const parse_result& r, const std::string& id) {
  for (const auto& row : r.rows) {
    if (row.id == id) return row;
  }
  BOOST_ERROR("no row " << id);
  static const task_row missing;
  return missing;
}

std::string ids(const parse_result& r) {
  std::string out;
  for (const auto& row : r.rows) out += (out.empty() ? "" : ",") + row.id;
  return out;
}

// 1-based number of the first line of `text` containing `needle`.
int line_of(const std::string& text, const std::string& needle) {
  const size_t pos = text.find(needle);
  BOOST_REQUIRE(pos != std::string::npos);
  int line = 1;
  for (size_t i = 0; i < pos; ++i) line += text[i] == '\n';
  return line;
}

}  // namespace

BOOST_AUTO_TEST_CASE(own_spec_md_fixture_yields_every_rule_at_once) {
  const auto r = parse(kOwn, "SPEC.md");
  BOOST_TEST(ids(r) == "T70,T71,T72,T73,T74,T75,T76,T30,T40-T42,T80,T81");
  BOOST_TEST(get(r, "T70").status == task_status::done);
  BOOST_TEST(get(r, "T70").title == "Webhook delivery");  // the duplicate row lost
  BOOST_TEST(get(r, "T70").spec_id == "SPEC-KIT-075-add-webhook-notification-system-for");
  BOOST_TEST(get(r, "T71").status == task_status::in_progress);
  BOOST_TEST(get(r, "T71").spec_id == "SPEC-OPS-004-integrated-coder-hooks");
  BOOST_TEST(get(r, "T72").status == task_status::in_review);
  BOOST_TEST(get(r, "T72").spec_id == "SPEC-KIT-045-mini");
  BOOST_TEST(get(r, "T73").status == task_status::blocked);
  BOOST_TEST(get(r, "T74").status == task_status::other);
  BOOST_TEST(get(r, "T74").raw_status == "**N/A**");
  BOOST_TEST(get(r, "T75").status == task_status::done);
  BOOST_TEST(get(r, "T76").status == task_status::backlog);
  BOOST_TEST(get(r, "T30").status == task_status::other);
  BOOST_TEST(get(r, "T80").status == task_status::backlog);
  BOOST_TEST(get(r, "T81").status == task_status::done);
  BOOST_TEST(get(r, "T81").spec_id == "");
  BOOST_TEST(r.warnings.size() == 2u);  // T77 without status, duplicate T70
}

BOOST_AUTO_TEST_CASE(own_tasks_md_fixture_uses_tokens_order_and_folder) {
  const auto r = parse(kOwn, "docs/SPEC-KIT-900-sample/tasks.md");
  BOOST_TEST(ids(r) == "T900-1,T900-2,#3,T900-4");
  BOOST_TEST(get(r, "T900-2").title == "Sign deliveries with `whsec_` keys | both formats");
  BOOST_TEST(get(r, "#3").title == "Write the runbook");
  BOOST_TEST(get(r, "T900-4").status == task_status::done);
  for (const auto& row : r.rows) BOOST_TEST(row.spec_id == "SPEC-KIT-900-sample");
  BOOST_TEST(r.warnings.empty());
}

BOOST_AUTO_TEST_CASE(own_checklist_fixture_yields_t_numbers_only) {
  const auto r = parse(kOwn, "docs/SPEC-KIT-901-checklist/tasks.md");
  BOOST_TEST(ids(r) == "T001,T002,T003,T004,T005");
  BOOST_TEST(get(r, "T002").status == task_status::done);
  BOOST_TEST(get(r, "T002").title == "[P] Configure linting");
  BOOST_TEST(get(r, "T003").status == task_status::backlog);
  BOOST_TEST(get(r, "T001").line == 4);
}

BOOST_AUTO_TEST_CASE(real_spec_md_tracker_and_rejected_table, spec_notify::testing::needs_shared_fixtures()) {
  const std::string text = slurp(kShared / "SPEC.md");
  const auto r = parse_task_file(text, "SPEC.md");
  BOOST_TEST(ids(r) == "T60,T65,T66,T67,T49,T48,T47,T26,T46,T61,T62,T63,T64,T30,T37,T40-T42");
  BOOST_TEST(r.warnings.empty());
  BOOST_TEST(get(r, "T60").status == task_status::done);
  BOOST_TEST(get(r, "T60").raw_status == "**DONE**");
  BOOST_TEST(get(r, "T60").line == line_of(text, "| 1 | T60 |"));
  BOOST_TEST(get(r, "T60").spec_id == "SPEC-KIT-060-template-validation-test");
  BOOST_TEST(get(r, "T67").status == task_status::in_progress);
  BOOST_TEST(get(r, "T49").status == task_status::backlog);
  BOOST_TEST(get(r, "T49").spec_id == "SPEC-KIT-045-mini");
  BOOST_TEST(get(r, "T48").status == task_status::blocked);
  BOOST_TEST(get(r, "T48").spec_id == "SPEC-KIT-040-add-simple-config-validation-utility");
  BOOST_TEST(get(r, "T47").spec_id == "");
  BOOST_TEST(get(r, "T26").spec_id == "SPEC-KIT-DEMO");
  BOOST_TEST(get(r, "T61").spec_id == "SPEC-KIT-065-add-webhook-notification-system-for");
  BOOST_TEST(get(r, "T63").title == "Webhook notifications for task completion events v2");
  BOOST_TEST(get(r, "T63").spec_id == "SPEC-KIT-075-add-webhook-notification-system-for");
  BOOST_TEST(get(r, "T30").status == task_status::other);
  BOOST_TEST(get(r, "T40-T42").title == "Progress indicators");
}

BOOST_AUTO_TEST_CASE(real_lint_clean_eleven_column_tracker, spec_notify::testing::needs_shared_fixtures()) {
  const auto r = parse(kShared, "_alt-f9ab5408/SPEC.md");
  BOOST_TEST(r.rows.size() == 17u);
  BOOST_TEST(r.warnings.empty());
  for (const auto& row : r.rows) BOOST_TEST(row.status == task_status::done);
  BOOST_TEST(get(r, "T1").spec_id == "");
  BOOST_TEST(get(r, "T2").spec_id == "SPEC-OPS-004-integrated-coder-hooks");
  BOOST_TEST(get(r, "T3").title == "Implement `/spec-plan` prompt");
  BOOST_TEST(get(r, "T10").spec_id == "SPEC-KIT-010-local-memory-migration");
  BOOST_TEST(get(r, "T12").spec_id == "SPEC-OPS-004-integrated-coder-hooks");
  BOOST_TEST(get(r, "T18").spec_id == "SPEC-KIT-018-hal-http-mcp");
  BOOST_TEST(get(r, "T20").spec_id == "SPEC-OPS-004-integrated-coder-hooks");
}

BOOST_AUTO_TEST_CASE(real_demo_tasks_md_ids_come_from_the_task_cell,
                     spec_notify::testing::needs_shared_fixtures()) {
  const auto r = parse(kShared, "docs/SPEC-KIT-DEMO/tasks.md");
  BOOST_TEST(ids(r) == "T26-DEMO-1,T26-DEMO-2,T26-DEMO-3,T26-DEMO-4,T26-DEMO-5");
  BOOST_TEST(get(r, "T26-DEMO-1").status == task_status::done);
  BOOST_TEST(get(r, "T26-DEMO-2").status == task_status::in_progress);
  BOOST_TEST(get(r, "T26-DEMO-3").status == task_status::blocked);
  BOOST_TEST(get(r, "T26-DEMO-3").raw_status == "Blocked (HAL secret)");
  BOOST_TEST(get(r, "T26-DEMO-4").status == task_status::backlog);
  BOOST_TEST(get(r, "T26-DEMO-4").title.rfind("Assign owner", 0) == 0u);
  for (const auto& row : r.rows) BOOST_TEST(row.spec_id == "SPEC-KIT-DEMO");
}

BOOST_AUTO_TEST_CASE(real_mini_tasks_md_ids_fall_back_to_the_order,
                     spec_notify::testing::needs_shared_fixtures()) {
  const auto r = parse(kShared, "docs/SPEC-KIT-045-mini/tasks.md");
  BOOST_TEST(ids(r) == "#1,#2,#3,#4,#5,#6,#7,#8");
  BOOST_TEST(get(r, "#7").title == "SPEC.md tracker sync (T49)");
  for (const auto& row : r.rows) {
    BOOST_TEST(row.status == task_status::done);
    BOOST_TEST(row.spec_id == "SPEC-KIT-045-mini");
  }
}

BOOST_AUTO_TEST_CASE(real_ops_tasks_md_dated_done_is_done, spec_notify::testing::needs_shared_fixtures()) {
  const auto r = parse(kShared, "docs/SPEC-OPS-004-integrated-coder-hooks/tasks.md");
  BOOST_TEST(r.rows.size() == 6u);
  for (const auto& row : r.rows) {
    BOOST_TEST(row.status == task_status::done);
    BOOST_TEST(row.raw_status == "Done (2025-09-29)");
    BOOST_TEST(row.spec_id == "SPEC-OPS-004-integrated-coder-hooks");
  }
}

BOOST_AUTO_TEST_CASE(real_spec_md_with_crlf_line_endings_parses_the_same,
                     spec_notify::testing::needs_shared_fixtures()) {
  const std::string lf = slurp(kShared / "SPEC.md");
  std::string crlf;
  for (const char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto a = parse_task_file(lf, "SPEC.md");
  const auto b = parse_task_file("\xEF\xBB\xBF" + crlf, "SPEC.md");
  BOOST_REQUIRE(a.rows.size() == b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    BOOST_TEST(a.rows[i].id == b.rows[i].id);
    BOOST_TEST(a.rows[i].title == b.rows[i].title);
    BOOST_TEST(a.rows[i].raw_status == b.rows[i].raw_status);
    BOOST_TEST(a.rows[i].line == b.rows[i].line);
    BOOST_TEST(a.rows[i].spec_id == b.rows[i].spec_id);
  }
}
