#define BOOST_TEST_MODULE task_status
#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <string>

#include "actors/differ/status.hpp"
#include "print_status.hpp"

using namespace spec_notify::differ;

namespace {

void expect_all(task_status expected, std::initializer_list<const char*> raws) {
  for (const char* raw : raws) {
    BOOST_TEST_CONTEXT("raw status '" << raw << "'") {
      BOOST_TEST(canonical_name(normalise_status(raw)) == canonical_name(expected));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(canonical_names_are_the_contract_spellings) {
  BOOST_TEST(canonical_name(task_status::backlog) == std::string("Backlog"));
  BOOST_TEST(canonical_name(task_status::in_progress) == std::string("In Progress"));
  BOOST_TEST(canonical_name(task_status::in_review) == std::string("In Review"));
  BOOST_TEST(canonical_name(task_status::blocked) == std::string("Blocked"));
  BOOST_TEST(canonical_name(task_status::done) == std::string("Done"));
  BOOST_TEST(canonical_name(task_status::other) == std::string("Other"));
}

BOOST_AUTO_TEST_CASE(parse_canonical_inverts_canonical_name_and_nothing_else) {
  for (task_status s : {task_status::backlog, task_status::in_progress, task_status::in_review,
                        task_status::blocked, task_status::done, task_status::other}) {
    task_status out = s == task_status::done ? task_status::other : task_status::done;
    BOOST_TEST(parse_canonical(canonical_name(s), out));
    BOOST_TEST(out == s);
  }
  task_status out = task_status::blocked;
  for (const char* bad : {"done", "DONE", "In progress", " Done", "Done ", "", "InProgress"}) {
    BOOST_TEST(!parse_canonical(bad, out));
  }
  BOOST_TEST(out == task_status::blocked);  // untouched on failure
}

BOOST_AUTO_TEST_CASE(every_done_word_maps_to_done) {
  expect_all(task_status::done, {"done", "Complete", "COMPLETED", "closed", "Merged", "shipped", "**DONE**",
                                 "**COMPLETE**", "Done (2025-09-29)", "done: yes", "done, finally"});
}

BOOST_AUTO_TEST_CASE(every_review_word_maps_to_in_review) {
  expect_all(task_status::in_review, {"in review", "In Review", "needs review", "**NEEDS REVIEW**",
                                      "in-review", "Ready for review", "review", "Review (PR #12)"});
}

BOOST_AUTO_TEST_CASE(every_progress_word_maps_to_in_progress) {
  expect_all(task_status::in_progress, {"in progress", "**IN PROGRESS**", "In-Progress", "WIP", "active",
                                        "Started", "ongoing", "In Progress (50%)"});
}

BOOST_AUTO_TEST_CASE(blocked_maps_to_blocked_with_or_without_a_suffix) {
  expect_all(task_status::blocked,
             {"blocked", "Blocked", "Blocked (HAL secret)", "BLOCKED: waiting", "blocked,x"});
}

BOOST_AUTO_TEST_CASE(every_backlog_word_maps_to_backlog) {
  expect_all(task_status::backlog,
             {"backlog", "Backlog", "todo", "TODO", "to do", "planned", "pending", "not started", "Open"});
}

BOOST_AUTO_TEST_CASE(unknown_words_and_empty_text_map_to_other) {
  expect_all(task_status::other, {"**N/A**", "**REMOVED**", "**DEFERRED**", "**REJECTED**", "**OBSOLETE**",
                                  "", "   ", "***", "cancelled", "?", "n/a"});
}

BOOST_AUTO_TEST_CASE(a_word_matches_only_when_followed_by_space_paren_colon_comma_or_the_end) {
  expect_all(task_status::done, {"Done (2025-09-29)", "Done:x", "Done,x", "Done x"});
  expect_all(task_status::other, {"Done.", "Done!", "Done-ish", "Donezo", "done/merged", "reviewed", "opened",
                                  "blockedx", "todos"});
}

BOOST_AUTO_TEST_CASE(the_word_must_start_the_text) {
  expect_all(task_status::other, {"not done", "almost done", "was blocked"});
  // "not started" is itself a backlog word, "needs review" a review word.
  expect_all(task_status::backlog, {"not started"});
}

BOOST_AUTO_TEST_CASE(lists_are_checked_in_contract_order) {
  // "review pending": the review list is checked before the backlog list.
  expect_all(task_status::in_review, {"review pending"});
  // "done" wins over everything; "blocked" before "pending"-like backlog words.
  expect_all(task_status::done, {"completed (was blocked)"});
  expect_all(task_status::blocked, {"blocked, pending review"});
}

BOOST_AUTO_TEST_CASE(emphasis_characters_are_stripped_everywhere) {
  expect_all(task_status::done, {"**Done**", "__done__", "`done`", "~~done~~", "*d*o*n*e*", "_**DONE**_"});
  // Stripping `_` joins words: "in_progress" becomes "inprogress", which is no word of the lists.
  expect_all(task_status::other, {"in_progress"});
}

BOOST_AUTO_TEST_CASE(leading_non_letters_are_dropped) {
  expect_all(task_status::done, {"✅ Done", "✅Done", "1. done", "- done", "(done )", "🚧 🚧 done", "#done"});
  // The word must still be followed by an allowed character: ')' is not one.
  expect_all(task_status::other, {"(done)"});
  expect_all(task_status::in_progress, {"⏳ In Progress"});
}

BOOST_AUTO_TEST_CASE(white_space_is_trimmed_and_collapsed_and_case_folded) {
  expect_all(task_status::in_progress,
             {"  In   Progress  ", "in\tprogress", "IN \t PROGRESS", "in\xC2\xA0progress"});
  expect_all(task_status::backlog, {"NOT    STARTED", "To   Do"});
  expect_all(task_status::in_review, {"ready  for\treview"});
}

BOOST_AUTO_TEST_CASE(strip_emphasis_removes_markers_and_trims) {
  BOOST_TEST(strip_emphasis("  **T60**  ") == "T60");
  BOOST_TEST(strip_emphasis("`T26-DEMO-1`") == "T26-DEMO-1");
  BOOST_TEST(strip_emphasis("~~_x_~~") == "x");
  BOOST_TEST(strip_emphasis("a * b") == "a  b");
  BOOST_TEST(strip_emphasis("") == "");
  BOOST_TEST(strip_emphasis("***") == "");
}

BOOST_AUTO_TEST_CASE(garbage_bytes_never_crash_and_map_to_other) {
  const std::string nul("done\0x", 6);
  BOOST_TEST(canonical_name(normalise_status(nul)) == std::string("Other"));
  const std::string nul_after_space("done \0", 6);
  BOOST_TEST(canonical_name(normalise_status(nul_after_space)) == std::string("Done"));
  BOOST_TEST(canonical_name(normalise_status("\xff\xfe\xC2")) == std::string("Other"));
  BOOST_TEST(canonical_name(normalise_status("\xff done")) == std::string("Done"));
  BOOST_TEST(canonical_name(normalise_status(std::string(100000, '*') + "done")) == std::string("Done"));
}
