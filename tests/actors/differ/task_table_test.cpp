#define BOOST_TEST_MODULE task_table
#include "actors/differ/task_table.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

#include "print_status.hpp"

using namespace spec_notify::differ;

namespace {

const task_row* find(const parse_result& r, const std::string& id) {
  for (const auto& row : r.rows) {
    if (row.id == id) return &row;
  }
  return nullptr;
}

std::string ids(const parse_result& r) {
  std::string out;
  for (const auto& row : r.rows) out += (out.empty() ? "" : ",") + row.id;
  return out;
}

const char* kTracker =
    "# Tracker\n"
    "\n"
    "| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | Notes |\n"
    "|-------|---------|-------|--------|--------|-----|--------|----|-----------------|----------|-------|\n"
    "| 1 | T60 | Template validation | **DONE** | Code |  |  |  | 2025-10-15 | docs/SPEC-KIT-060-tv/ | ok |\n"
    "| 4 | T67 | Port /checklist | **IN PROGRESS** | Code |  |  |  |  |  | 2 agents |\n"
    "| 7 | T61 | Webhooks | Backlog | Code | docs/SPEC-KIT-065-add-webhook/PRD.md | feat/x |  |  |  | new "
    "|\n";

}  // namespace

BOOST_AUTO_TEST_CASE(eleven_column_tracker_rows_get_id_title_raw_status_status_and_line) {
  const auto r = parse_task_file(kTracker, "SPEC.md");
  BOOST_TEST(r.warnings.empty());
  BOOST_TEST(ids(r) == "T60,T67,T61");
  const task_row& t60 = r.rows[0];
  BOOST_TEST(t60.title == "Template validation");
  BOOST_TEST(t60.raw_status == "**DONE**");
  BOOST_TEST(t60.status == task_status::done);
  BOOST_TEST(t60.line == 5);
  BOOST_TEST(r.rows[1].status == task_status::in_progress);
  BOOST_TEST(r.rows[1].line == 6);
  BOOST_TEST(r.rows[2].status == task_status::backlog);
}

BOOST_AUTO_TEST_CASE(five_column_tracker_takes_the_id_cell) {
  const auto r = parse_task_file(
      "| Order | ID | Title | Status | Notes |\n| --- | --- | --- | --- | --- |\n| 1 | T1 | Rename | Done | "
      "x |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1");
  BOOST_TEST(r.rows[0].title == "Rename");
}

BOOST_AUTO_TEST_CASE(id_task_status_reason_table_uses_the_task_cell_as_title) {
  const auto r = parse_task_file(
      "| ID | Task | Status | Reason |\n|----|------|--------|--------|\n"
      "| T30 | Project Commands migration | **REJECTED** | Keep enum. |\n"
      "| T40-T42 | Progress indicators | **OBSOLETE** | shown |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T30,T40-T42");
  BOOST_TEST(r.rows[0].title == "Project Commands migration");
  BOOST_TEST(r.rows[0].status == task_status::other);
  BOOST_TEST(r.rows[0].raw_status == "**REJECTED**");
}

BOOST_AUTO_TEST_CASE(task_cell_leading_token_followed_by_a_colon_is_the_id_and_the_rest_the_title) {
  const auto r = parse_task_file(
      "| Order | Task | Owner | Status | Validation |\n| --- | --- | --- | --- | --- |\n"
      "| 1 | T26-DEMO-1: Sync docs/SPEC-KIT-DEMO/{spec.md} and `lint` | Code | Done | ok |\n"
      "| 2 | **T26-DEMO-2**: Refresh bundle | Code | In Progress | ok |\n"
      "| 3 | **v1.2:** Versioned item | Code | Blocked (HAL secret) | ok |\n",
      "docs/SPEC-KIT-DEMO/tasks.md");
  BOOST_TEST(ids(r) == "T26-DEMO-1,T26-DEMO-2,v1.2");
  BOOST_TEST(r.rows[0].title == "Sync docs/SPEC-KIT-DEMO/{spec.md} and `lint`");
  BOOST_TEST(r.rows[1].title == "Refresh bundle");
  BOOST_TEST(r.rows[2].title == "Versioned item");
  BOOST_TEST(r.rows[2].status == task_status::blocked);
}

BOOST_AUTO_TEST_CASE(task_tokens_that_break_the_token_rule_fall_back_to_the_order) {
  const auto r = parse_task_file(
      "| Order | Task | Status |\n| --- | --- | --- |\n"
      "| 1 | Setup: no digit | Done |\n"            // no digit
      "| 2 | 1abc: starts with a digit | Done |\n"  // does not start with a letter
      "| 3 | T3 no colon | Done |\n"                // not followed by ':'
      "| 4 | T_4: underscore | Done |\n"            // '_' is not a token character
      "| 5 | SPEC.md tracker sync (T49) | Done |\n"
      "| 6 | T6 : spaced colon | Done |\n",
      "docs/X/tasks.md");
  BOOST_TEST(ids(r) == "#1,#2,#3,#4,#5,#6");
  BOOST_TEST(r.rows[4].title == "SPEC.md tracker sync (T49)");
}

BOOST_AUTO_TEST_CASE(order_fallback_id_is_hash_plus_the_emphasis_free_order) {
  const auto r =
      parse_task_file("| Order | Task | Status |\n| --- | --- | --- |\n| **7** | Evidence refresh | Done |\n",
                      "docs/X/tasks.md");
  BOOST_TEST(ids(r) == "#7");
  BOOST_TEST(r.rows[0].title == "Evidence refresh");
}

BOOST_AUTO_TEST_CASE(an_empty_id_cell_falls_back_to_the_task_token_then_the_order) {
  const auto r = parse_task_file(
      "| Order | ID | Task | Status |\n| --- | --- | --- | --- |\n"
      "| 1 |  | T9: from token | Done |\n"
      "| 2 | ** | plain | Done |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T9,#2");
}

BOOST_AUTO_TEST_CASE(rows_without_any_id_are_skipped_with_a_warning) {
  const auto r =
      parse_task_file("| Task | Status |\n| --- | --- |\n| plain text | Done |\n|  | Done |\n", "SPEC.md");
  BOOST_TEST(r.rows.empty());
  BOOST_REQUIRE(r.warnings.size() == 2u);
  BOOST_TEST(r.warnings[0].rfind("SPEC.md:3: ", 0) == 0u);
  BOOST_TEST(r.warnings[1].rfind("SPEC.md:4: ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(ids_are_stripped_of_emphasis) {
  const auto r = parse_task_file(
      "| ID | Status |\n|---|---|\n| **T60** | Done |\n| `T61` | Done |\n| ~~_T62_~~ | Done |\n", "SPEC.md");
  BOOST_TEST(ids(r) == "T60,T61,T62");
}

BOOST_AUTO_TEST_CASE(first_occurrence_of_an_id_wins_across_tables_and_checklists) {
  const auto r = parse_task_file(
      "| ID | Title | Status |\n|---|---|---|\n| T1 | first | Done |\n| **T1** | second | Backlog |\n"
      "\n| ID | Status |\n|---|---|\n| T1 | Blocked |\n\n- [ ] T1 checklist\n- [x] T2 item\n- [ ] T2 again\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1,T2");
  BOOST_TEST(r.rows[0].title == "first");
  BOOST_TEST(r.rows[0].status == task_status::done);
  BOOST_TEST(r.rows[1].status == task_status::done);
  BOOST_TEST(r.warnings.size() == 4u);  // three later T1s and one later T2
}

BOOST_AUTO_TEST_CASE(several_tables_are_read_and_tables_without_status_are_ignored) {
  const auto r = parse_task_file(
      "| Name | Value |\n|---|---|\n| T9 | 3 |\n\ntext\n\n"
      "| Order | ID | Title | Status | Notes |\n| --- | --- | --- | --- | --- |\n| 1 | T1 | a | Done | |\n\n"
      "| ID | Task | Status | Reason |\n|----|------|--------|--------|\n| T30 | b | **REJECTED** | r |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1,T30");
  BOOST_TEST(r.warnings.empty());
}

BOOST_AUTO_TEST_CASE(header_matching_ignores_case_emphasis_and_spacing) {
  const auto r = parse_task_file(
      "| **ORDER** | **task   id** | _Title_ | `STATUS` |\n|:--|:-:|--:|---|\n| 1 | T5 | five | wip |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T5");
  BOOST_TEST(r.rows[0].title == "five");
  BOOST_TEST(r.rows[0].status == task_status::in_progress);
}

BOOST_AUTO_TEST_CASE(delimiter_row_variants_are_accepted) {
  for (const char* delimiter :
       {"|---|---|", "| --- | --- |", "|:---:|:---|", "|-|-|", "---|---", "| ---: | - |"}) {
    BOOST_TEST_CONTEXT(delimiter) {
      const std::string text = std::string("| ID | Status |\n") + delimiter + "\n| T1 | Done |\n";
      BOOST_TEST(ids(parse_task_file(text, "SPEC.md")) == "T1");
    }
  }
}

BOOST_AUTO_TEST_CASE(pipe_lines_without_a_delimiter_row_are_not_tables) {
  for (const char* second : {"| T0 | Done |", "|   |   |", "| :: | -x- |", "", "---", "text"}) {
    BOOST_TEST_CONTEXT(second) {
      const std::string text = std::string("| ID | Status |\n") + second + "\n| T1 | Done |\n";
      BOOST_TEST(parse_task_file(text, "SPEC.md").rows.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(table_rows_are_the_consecutive_pipe_lines_after_the_delimiter) {
  const auto r = parse_task_file(
      "| ID | Status |\n|---|---|\n| T1 | Done |\n   | T2 | Done |\n\t| T3 | Done |\n"
      "not a row | T4 | Done |\n| T5 | Done |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1,T2,T3");
}

BOOST_AUTO_TEST_CASE(table_headers_and_rows_may_be_indented) {
  const auto r = parse_task_file("  | ID | Status |\n  |---|---|\n  | T1 | Done |\n", "SPEC.md");
  BOOST_TEST(ids(r) == "T1");
}

BOOST_AUTO_TEST_CASE(delimiter_shaped_rows_inside_a_body_are_skipped) {
  const auto r = parse_task_file("| ID | Status |\n|---|---|\n|---|---|\n| T1 | Done |\n", "SPEC.md");
  BOOST_TEST(ids(r) == "T1");
  BOOST_TEST(r.warnings.empty());
}

BOOST_AUTO_TEST_CASE(empty_cells_are_kept_so_columns_do_not_shift) {
  const auto r = parse_task_file(
      "| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | Notes "
      "|\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n"
      "|  |  |  | Done |  |  |  |  |  |  |  |\n"
      "| 2 | T2 |  | Blocked |  |  |  |  |  |  | docs/SPEC-KIT-002-x/notes.md |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T2");  // the first row has no id at all
  BOOST_TEST(r.rows[0].status == task_status::blocked);
  BOOST_TEST(r.rows[0].title == "");
  BOOST_TEST(r.rows[0].spec_id == "SPEC-KIT-002-x");
  BOOST_TEST(r.warnings.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ragged_rows_missing_the_status_are_skipped_with_a_warning_and_extra_cells_ignored) {
  const auto r = parse_task_file(
      "| Order | ID | Title | Status | Notes |\n|---|---|---|---|---|\n"
      "| 1 | T1 | short |\n"                            // no Status cell
      "| 2 | T2 | shorter but with status | Done |\n"   // Notes missing: fine
      "| 3 | T3 | long | Done | n | extra | more |\n",  // extras ignored
      "SPEC.md");
  BOOST_TEST(ids(r) == "T2,T3");
  BOOST_REQUIRE(r.warnings.size() == 1u);
  BOOST_TEST(r.warnings[0].rfind("SPEC.md:3: ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(escaped_pipes_and_pipes_in_code_spans_stay_inside_their_cell) {
  const auto r = parse_task_file(
      "| ID | Title | Status |\n|---|---|---|\n"
      "| T1 | a \\| b | Done |\n"
      "| T2 | run `x | y` now | Done |\n"
      "| T3 | unmatched ` tick | Done |\n"
      "| T4 | ``code ` with | pipe`` | Done |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1,T2,T3,T4");
  BOOST_TEST(r.rows[0].title == "a | b");
  BOOST_TEST(r.rows[1].title == "run `x | y` now");
  BOOST_TEST(r.rows[2].title == "unmatched ` tick");
  BOOST_TEST(r.rows[3].title == "``code ` with | pipe``");
  for (const auto& row : r.rows) BOOST_TEST(row.status == task_status::done);
}

BOOST_AUTO_TEST_CASE(title_cell_wins_over_the_task_cell_unless_empty) {
  const auto r = parse_task_file(
      "| ID | Task | Title | Status |\n|---|---|---|---|\n| T1 | task text | title text | Done |\n"
      "| T2 | T2: task text | | Done |\n",
      "SPEC.md");
  BOOST_TEST(r.rows[0].title == "title text");
  BOOST_TEST(r.rows[1].title == "task text");
}

BOOST_AUTO_TEST_CASE(spec_id_of_a_tasks_md_row_is_its_folder) {
  const char* text =
      "| Order | Task | Status | Notes |\n|---|---|---|---|\n| 1 | a | Done | docs/SPEC-KIT-9-x/a |\n";
  BOOST_TEST(parse_task_file(text, "docs/SPEC-KIT-045-mini/tasks.md").rows[0].spec_id == "SPEC-KIT-045-mini");
  BOOST_TEST(parse_task_file(text, "docs/SPEC-KIT-DEMO/tasks.md").rows[0].spec_id == "SPEC-KIT-DEMO");
}

BOOST_AUTO_TEST_CASE(spec_id_of_a_spec_md_row_comes_from_prd_then_evidence_then_notes) {
  const auto r = parse_task_file(
      "| ID | Status | PRD | Evidence | Notes |\n|---|---|---|---|---|\n"
      "| T1 | Done | docs/SPEC-KIT-065-add-x/PRD.md | docs/SPEC-KIT-001-e/ | docs/SPEC-KIT-002-n/ |\n"
      "| T2 | Done |  | docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-013/a.json | |\n"
      "| T3 | Done |  |  | see `docs/SPEC-KIT-045-mini/tasks.md` |\n"
      "| T4 | Done | docs/other/PRD.md | mydocs/SPEC-KIT-1-x/ | docs/SPEC-KIT-045 and SPEC-KIT-2 |\n"
      "| T5 | Done | /home/u/code/docs/SPEC-KIT-070-y/PRD.md |  |  |\n",
      "SPEC.md");
  BOOST_TEST(find(r, "T1")->spec_id == "SPEC-KIT-065-add-x");
  BOOST_TEST(find(r, "T2")->spec_id == "SPEC-OPS-004-integrated-coder-hooks");
  BOOST_TEST(find(r, "T3")->spec_id == "SPEC-KIT-045-mini");
  BOOST_TEST(find(r, "T4")->spec_id == "");
  BOOST_TEST(find(r, "T5")->spec_id == "SPEC-KIT-070-y");
}

BOOST_AUTO_TEST_CASE(spec_id_helpers_follow_the_path_rules) {
  BOOST_TEST(spec_id_from_path("docs/SPEC-KIT-075-add/tasks.md") == "SPEC-KIT-075-add");
  BOOST_TEST(spec_id_from_path("SPEC.md") == "");
  BOOST_TEST(spec_id_from_path("docs/tasks.md") == "");
  BOOST_TEST(spec_id_from_path("docs//tasks.md") == "");
  BOOST_TEST(spec_id_from_path("docs/archive/specs/SPEC-X/tasks.md") == "");
  BOOST_TEST(spec_id_from_path("docs/SPEC-X/tasks.mdx") == "");
  BOOST_TEST(spec_id_in_text("x docs/SPEC-A-1/ y docs/SPEC-B-2/") == "SPEC-A-1");
  BOOST_TEST(spec_id_in_text("docs/SPEC-/x") == "");
  BOOST_TEST(spec_id_in_text("docs/SPEC-A-1") == "");
  BOOST_TEST(spec_id_in_text("") == "");
}

BOOST_AUTO_TEST_CASE(checklist_items_with_a_t_number_are_tasks) {
  const auto r = parse_task_file(
      "- [ ] T001 [P] Setup project\n"
      "- [x] **T002** Write tests\n"
      "* [X] T003: Star bullet\n"
      "  + [ ] `T004` nested plus bullet\n"
      "- [x] Create templates/ without id\n"
      "- [ ] /clarify - no id\n"
      "- [ ] t005 lower case is no id\n"
      "- [ ] T6x not a number\n"
      "- [] T007 malformed box\n"
      "-[ ] T008 no space after bullet\n"
      "1. [ ] T009 ordered list\n",
      "docs/SPEC-KIT-100-x/tasks.md");
  BOOST_TEST(ids(r) == "T001,T002,T003,T004");
  BOOST_TEST(r.rows[0].status == task_status::backlog);
  BOOST_TEST(r.rows[0].raw_status == "[ ]");
  BOOST_TEST(r.rows[0].title == "[P] Setup project");
  BOOST_TEST(r.rows[1].status == task_status::done);
  BOOST_TEST(r.rows[1].raw_status == "[x]");
  BOOST_TEST(r.rows[1].title == "Write tests");
  BOOST_TEST(r.rows[2].status == task_status::done);
  BOOST_TEST(r.rows[2].raw_status == "[X]");
  BOOST_TEST(r.rows[2].title == "Star bullet");
  BOOST_TEST(r.rows[3].line == 4);
  BOOST_TEST(r.rows[3].spec_id == "SPEC-KIT-100-x");
  BOOST_TEST(r.warnings.empty());
}

BOOST_AUTO_TEST_CASE(fenced_code_blocks_hide_tables_and_checklists) {
  const auto r = parse_task_file(
      "```markdown\n| ID | Status |\n|---|---|\n| T1 | Done |\n- [x] T2 x\n```\n"
      "~~~\n- [x] T3 x\n~~~\n"
      "````\n```\n- [x] T4 inner fence does not close a longer one\n````\n"
      "```inline``` is not a fence\n"
      "- [x] T5 visible\n"
      "  ```\n  - [x] T6 indented fence\n  ```\n"
      "| ID | Status |\n|---|---|\n| T7 | Done |\n"
      "```\n- [x] T8 unclosed fence hides the rest\n| ID | Status |\n|---|---|\n| T9 | Done |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T5,T7");
}

BOOST_AUTO_TEST_CASE(crlf_bom_and_a_missing_trailing_newline_are_handled) {
  const auto r = parse_task_file(
      "\xEF\xBB\xBF| ID | Status |\r\n|---|---|\r\n| T1 | Done |\r\n\r\n- [x] T2 item\r\n| x |\r\n- [ ] T3 "
      "last",
      "SPEC.md");
  BOOST_TEST(ids(r) == "T1,T2,T3");
  BOOST_TEST(r.rows[0].raw_status == "Done");
  BOOST_TEST(r.rows[0].line == 3);
  BOOST_TEST(r.rows[1].line == 5);
  BOOST_TEST(r.rows[2].line == 7);
  BOOST_TEST(r.rows[2].title == "last");
}

BOOST_AUTO_TEST_CASE(empty_and_blank_inputs_give_no_rows) {
  for (const char* text :
       {"", "\n", "\r\n", "\xEF\xBB\xBF", "|", "||\n||", "| Status |\n|---|\n|\n", "- [x]"}) {
    const auto r = parse_task_file(text, "SPEC.md");
    BOOST_TEST(r.rows.empty());
  }
}

BOOST_AUTO_TEST_CASE(nul_bytes_and_invalid_utf8_yield_valid_utf8_strings) {
  static const char kText[] =
      "| ID | Title | Status |\n|---|---|---|\n| T\0"
      "1 | bad \xff\xfe title \xC3 | Done \xE2\x9C |\n";
  const std::string text(kText, sizeof(kText) - 1);
  const auto r = parse_task_file(text, "SPEC.md");
  BOOST_REQUIRE(r.rows.size() == 1u);
  BOOST_TEST(r.rows[0].id ==
             "T\xEF\xBF\xBD"
             "1");
  BOOST_TEST(r.rows[0].title == "bad \xEF\xBF\xBD\xEF\xBF\xBD title \xEF\xBF\xBD");
  BOOST_TEST(r.rows[0].status == task_status::done);
  BOOST_TEST(r.rows[0].raw_status.find('\0') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(warnings_are_capped_and_say_how_many_were_dropped) {
  std::string text = "| ID | Status | Notes |\n|---|---|---|\n";
  for (int i = 0; i < 500; ++i) text += "| only-one-cell |\n";
  const auto r = parse_task_file(text, "SPEC.md");
  BOOST_TEST(r.rows.empty());
  BOOST_TEST(r.warnings.size() == 101u);
  BOOST_TEST(r.warnings.back() == "SPEC.md: 400 more warnings dropped");
}

BOOST_AUTO_TEST_CASE(a_header_and_delimiter_with_different_cell_counts_warn_but_parse) {
  const auto r = parse_task_file("| ID | Status |\n|---|---|---|\n| T1 | Done |\n", "SPEC.md");
  BOOST_TEST(ids(r) == "T1");
  BOOST_REQUIRE(r.warnings.size() == 1u);
  BOOST_TEST(r.warnings[0].rfind("SPEC.md:1: ", 0) == 0u);
}

// A file caught mid-rewrite ends inside a row: that row is not read (its task keeps its known state), while a
// complete last row without a trailing newline is, and so is any last row of a table written without closing
// pipes (there a missing '|' says nothing).
BOOST_AUTO_TEST_CASE(a_last_row_cut_short_by_a_writer_is_skipped_with_a_warning) {
  const std::string head = "| Task ID | Title | Status |\n|---|---|---|\n| T1 | first | Done |\n";
  auto cut = parse_task_file(head + "| T2 | second | Do", "docs/SPEC-KIT-1-x/tasks.md");
  BOOST_TEST(ids(cut) == "T1");
  BOOST_REQUIRE_EQUAL(cut.warnings.size(), 1u);
  BOOST_TEST(cut.warnings[0].find("tasks.md:4") != std::string::npos);
  BOOST_TEST(cut.warnings[0].find("cut short") != std::string::npos);

  auto whole = parse_task_file(head + "| T2 | second | Done |", "docs/SPEC-KIT-1-x/tasks.md");
  BOOST_TEST(ids(whole) == "T1,T2");
  BOOST_TEST(whole.warnings.empty());
  BOOST_TEST(find(whole, "T2")->status == task_status::done);

  auto crlf = parse_task_file(head + "| T2 | second | Done\r\n", "docs/SPEC-KIT-1-x/tasks.md");
  BOOST_TEST(ids(crlf) == "T1,T2");  // terminated: a row without its closing pipe, read as before

  auto open_style = parse_task_file("| Task ID | Status\n|---|---\n| T1 | Done", "SPEC.md");
  BOOST_TEST(ids(open_style) == "T1");
  BOOST_TEST(open_style.warnings.empty());
}

// While the engine says the file may still be being written, an unterminated last line of any kind is left
// out and reported (partial_tail), so the engine reads the file again later.
BOOST_AUTO_TEST_CASE(an_unterminated_last_line_is_left_out_while_the_file_may_be_mid_write) {
  parse_options mid_write;
  mid_write.tail_may_be_partial = true;
  auto checklist = parse_task_file("- [x] T001 first\n- [x] T00", "docs/SPEC-KIT-1-x/tasks.md", mid_write);
  BOOST_TEST(ids(checklist) == "T001");
  BOOST_TEST(checklist.partial_tail);
  BOOST_TEST(checklist.warnings.empty());
  auto open_style =
      parse_task_file("| Task ID | Status\n|---|---\n| T1 | Backlog\n| T2 | Do", "SPEC.md", mid_write);
  BOOST_TEST(ids(open_style) == "T1");
  BOOST_TEST(open_style.partial_tail);
  auto complete = parse_task_file("| Task ID | Status |\n|---|---|\n| T1 | Done |", "SPEC.md", mid_write);
  BOOST_TEST(ids(complete) == "T1");  // a closing pipe: the row is whole
  BOOST_TEST(!complete.partial_tail);
  // Without the option (file left alone long enough) the same lines are read as written.
  BOOST_TEST(ids(parse_task_file("- [x] T001 first\n- [x] T002", "docs/SPEC-KIT-1-x/tasks.md")) ==
             "T001,T002");
}

BOOST_AUTO_TEST_CASE(tables_inside_html_comments_are_ignored_and_do_not_shadow_the_live_table) {
  auto r = parse_task_file(
      "<!-- old tracker\n| Task ID | Title | Status |\n|---|---|---|\n| C1 | old | Done |\n-->\n"
      "<!-- one-line comment -->\n"
      "| Task ID | Title | Status |\n|---|---|---|\n| C1 | live | Backlog |\n",
      "SPEC.md");
  BOOST_TEST(ids(r) == "C1");
  BOOST_TEST(find(r, "C1")->title == "live");
  BOOST_TEST(find(r, "C1")->line == 9);
  BOOST_TEST(r.warnings.empty());
  // An unclosed comment runs to the end of the file, as in CommonMark.
  BOOST_TEST(parse_task_file("<!--\n| ID | Status |\n|---|---|\n| T1 | Done |\n", "SPEC.md").rows.empty());
}

BOOST_AUTO_TEST_CASE(a_stray_backtick_does_not_swallow_the_status_cell_but_code_spans_keep_their_pipes) {
  auto stray = parse_task_file(
      "| Order | Task | Owner | Status | Notes |\n|---|---|---|---|---|\n"
      "| 1 | T1-1: Fix `--dry-run flag parsing | Code | Done | run `make test` |\n",
      "docs/SPEC-KIT-1-x/tasks.md");
  BOOST_REQUIRE_EQUAL(stray.rows.size(), 1u);
  BOOST_TEST(stray.rows[0].id == "T1-1");
  BOOST_TEST(stray.rows[0].status == task_status::done);
  BOOST_TEST(stray.warnings.empty());
  auto shielded = parse_task_file(
      "| Order | Task | Owner | Status | Notes |\n|---|---|---|---|---|\n"
      "| 1 | T1-2: Pipe `ls | wc -l` into the log | Code | Done | ok |\n",
      "docs/SPEC-KIT-1-x/tasks.md");
  BOOST_REQUIRE_EQUAL(shielded.rows.size(), 1u);
  BOOST_TEST(shielded.rows[0].status == task_status::done);
  BOOST_TEST(shielded.rows[0].title == "Pipe `ls | wc -l` into the log");
}
