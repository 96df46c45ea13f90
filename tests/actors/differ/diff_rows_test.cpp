#define BOOST_TEST_MODULE diff_rows
#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <vector>

#include "actors/differ/diff.hpp"
#include "print_status.hpp"

using namespace spec_notify::differ;

namespace {

task_row row(const std::string& id, const std::string& raw, int line = 1) {
  task_row r;
  r.id = id;
  r.raw_status = raw;
  r.status = normalise_status(raw);
  r.line = line;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_id_is_a_transition_from_null) {
  const auto out = diff_rows({}, {row("T1", "Backlog")});
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST(!out[0].has_from);
  BOOST_TEST(out[0].row.id == "T1");
  BOOST_TEST(out[0].row.status == task_status::backlog);
}

BOOST_AUTO_TEST_CASE(a_category_change_is_a_transition_with_its_from) {
  const std::map<std::string, known_state> previous{{"T1", {task_status::in_progress, "**IN PROGRESS**"}}};
  const auto out = diff_rows(previous, {row("T1", "**DONE**")});
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].has_from);
  BOOST_TEST(out[0].from == task_status::in_progress);
  BOOST_TEST(out[0].row.status == task_status::done);
  BOOST_TEST(out[0].row.raw_status == "**DONE**");
}

BOOST_AUTO_TEST_CASE(a_raw_text_change_within_the_same_category_is_no_transition) {
  const std::map<std::string, known_state> previous{{"T1", {task_status::done, "Done"}},
                                                    {"T2", {task_status::other, "**N/A**"}}};
  BOOST_TEST(diff_rows(previous, {row("T1", "Done (2025-09-29)"), row("T2", "**REMOVED**")}).empty());
}

BOOST_AUTO_TEST_CASE(transitions_into_and_out_of_other_count) {
  const std::map<std::string, known_state> previous{{"T1", {task_status::backlog, "Backlog"}},
                                                    {"T2", {task_status::other, "**DEFERRED**"}}};
  const auto out = diff_rows(previous, {row("T1", "**N/A**"), row("T2", "Backlog")});
  BOOST_REQUIRE(out.size() == 2u);
  BOOST_TEST(out[0].from == task_status::backlog);
  BOOST_TEST(out[0].row.status == task_status::other);
  BOOST_TEST(out[1].from == task_status::other);
  BOOST_TEST(out[1].row.status == task_status::backlog);
}

BOOST_AUTO_TEST_CASE(removed_rows_emit_nothing) {
  const std::map<std::string, known_state> previous{{"T1", {task_status::done, "Done"}},
                                                    {"T2", {task_status::backlog, "Backlog"}}};
  BOOST_TEST(diff_rows(previous, {}).empty());
  BOOST_TEST(diff_rows(previous, {row("T2", "Backlog")}).empty());
}

BOOST_AUTO_TEST_CASE(a_row_that_comes_back_is_compared_with_its_last_seen_state) {
  // previous keeps the ids of rows removed earlier: re-adding one is not "new".
  const std::map<std::string, known_state> previous{{"T1", {task_status::done, "Done"}}};
  BOOST_TEST(diff_rows(previous, {row("T1", "done")}).empty());
  const auto out = diff_rows(previous, {row("T1", "Blocked")});
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].from == task_status::done);
}

BOOST_AUTO_TEST_CASE(transitions_come_out_in_file_order) {
  const std::map<std::string, known_state> previous{{"A", {task_status::backlog, "Backlog"}},
                                                    {"Z", {task_status::backlog, "Backlog"}}};
  const auto out = diff_rows(previous, {row("Z", "Done", 3), row("M", "Backlog", 5), row("A", "wip", 9)});
  BOOST_REQUIRE(out.size() == 3u);
  BOOST_TEST(out[0].row.id == "Z");
  BOOST_TEST(out[1].row.id == "M");
  BOOST_TEST(!out[1].has_from);
  BOOST_TEST(out[2].row.id == "A");
  BOOST_TEST(out[2].row.line == 9);
}

BOOST_AUTO_TEST_CASE(the_whole_row_is_carried_into_the_transition) {
  task_row r = row("T63", "Done", 42);
  r.title = "Webhooks v2";
  r.spec_id = "SPEC-KIT-075-add-webhook-notification-system-for";
  const auto out = diff_rows({{"T63", {task_status::in_progress, "WIP"}}}, {r});
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].row.title == "Webhooks v2");
  BOOST_TEST(out[0].row.spec_id == r.spec_id);
  BOOST_TEST(out[0].row.line == 42);
}
