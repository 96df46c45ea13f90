#define BOOST_TEST_MODULE table_markdown
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "actors/differ/markdown.hpp"

using namespace spec_notify::differ::markdown;

namespace {

std::vector<std::string> cells(std::string_view line) {
  std::vector<std::string_view> views;
  split_cells(line, views);
  return {views.begin(), views.end()};
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(split_cells_keeps_empty_cells_and_drops_the_outer_pipes) {
  BOOST_TEST(cells("| a | b |") == (strings{"a", "b"}));
  BOOST_TEST(cells("| a |  | c |") == (strings{"a", "", "c"}));
  BOOST_TEST(cells("|a||") == (strings{"a", ""}));
  BOOST_TEST(cells("| a | b") == (strings{"a", "b"}));
  BOOST_TEST(cells("a | b") == (strings{"a", "b"}));
  BOOST_TEST(cells("  | a |  ") == (strings{"a"}));
  BOOST_TEST(cells("|") == strings{});
  BOOST_TEST(cells("") == strings{});
  BOOST_TEST(cells("||") == (strings{""}));
}

BOOST_AUTO_TEST_CASE(split_cells_does_not_split_on_escaped_pipes_or_inside_code_spans) {
  BOOST_TEST(cells("| a \\| b | c |") == (strings{"a \\| b", "c"}));
  BOOST_TEST(cells("| `a|b` | c |") == (strings{"`a|b`", "c"}));
  BOOST_TEST(cells("| ``a`|`b`` | c |") == (strings{"``a`|`b``", "c"}));
  BOOST_TEST(cells("| ` | c |") == (strings{"`", "c"}));             // unmatched tick is literal
  BOOST_TEST(cells("| `` | ` | c |") == (strings{"``", "`", "c"}));  // runs of different length do not pair
  BOOST_TEST(cells("| a \\\\| b |") == (strings{"a \\\\", "b"}));    // escaped backslash, real pipe
  BOOST_TEST(cells("| a \\") == (strings{"a \\"}));
}

BOOST_AUTO_TEST_CASE(unescape_cell_resolves_only_escaped_pipes) {
  BOOST_TEST(unescape_cell("a \\| b \\* c \\") == "a | b \\* c \\");
}

BOOST_AUTO_TEST_CASE(delimiter_rows_need_dashes_with_optional_colons_in_every_cell) {
  size_t n = 0;
  BOOST_TEST(is_delimiter_row("|---|---|", n));
  BOOST_TEST(n == 2u);
  BOOST_TEST(is_delimiter_row("| :--- | ---: | :-: |", n));
  BOOST_TEST(n == 3u);
  BOOST_TEST(is_delimiter_row("--- | ---", n));
  BOOST_TEST(is_delimiter_row("|-|", n));
  BOOST_TEST(!is_delimiter_row("---", n));  // a thematic break, not a table
  BOOST_TEST(!is_delimiter_row("| --- | x |", n));
  BOOST_TEST(!is_delimiter_row("| --- |  |", n));
  BOOST_TEST(!is_delimiter_row("| : |", n));
  BOOST_TEST(!is_delimiter_row("| -:- |", n));
  BOOST_TEST(!is_delimiter_row("|", n));
  BOOST_TEST(!is_delimiter_row("", n));
}

BOOST_AUTO_TEST_CASE(fences_open_with_three_ticks_or_tildes_and_close_with_at_least_as_many) {
  const fence f = opening_fence("```bash");
  BOOST_TEST(f.marker == '`');
  BOOST_TEST(f.length == 3u);
  BOOST_TEST(opening_fence("  ~~~~").length == 4u);
  BOOST_TEST(opening_fence("``").marker == 0);
  BOOST_TEST(opening_fence("```a``` b").marker == 0);
  BOOST_TEST(opening_fence("~~~ a ~ b").marker == '~');
  BOOST_TEST(closes_fence("```", f));
  BOOST_TEST(closes_fence("  `````  ", f));
  BOOST_TEST(!closes_fence("``", f));
  BOOST_TEST(!closes_fence("``` x", f));
  BOOST_TEST(!closes_fence("~~~", f));
  BOOST_TEST(!closes_fence("```", fence{}));
}

BOOST_AUTO_TEST_CASE(checklist_items_need_a_bullet_a_space_and_a_box) {
  checklist_item item;
  BOOST_TEST(parse_checklist_item("- [ ] T1 a", item));
  BOOST_TEST(!item.checked);
  BOOST_TEST(item.box == "[ ]");
  BOOST_TEST(item.rest == "T1 a");
  BOOST_TEST(parse_checklist_item("  * [X]   T2", item));
  BOOST_TEST(item.checked);
  BOOST_TEST(item.rest == "T2");
  BOOST_TEST(parse_checklist_item("+ [x]", item));
  BOOST_TEST(item.rest == "");
  BOOST_TEST(!parse_checklist_item("-[ ] T1", item));
  BOOST_TEST(!parse_checklist_item("- [y] T1", item));
  BOOST_TEST(!parse_checklist_item("- [x]T1", item));
  BOOST_TEST(!parse_checklist_item("- T1", item));
  BOOST_TEST(!parse_checklist_item("", item));
}

BOOST_AUTO_TEST_CASE(valid_utf8_keeps_good_text_and_replaces_bad_bytes_and_nul) {
  BOOST_TEST(valid_utf8("plain ✅ é 𝄞") == "plain ✅ é 𝄞");
  const std::string rep = "\xEF\xBF\xBD";
  BOOST_TEST(valid_utf8("\xff") == rep);
  BOOST_TEST(valid_utf8(std::string("a\0b", 3)) == "a" + rep + "b");
  BOOST_TEST(valid_utf8("\xC0\xAF") == rep + rep);                      // overlong
  BOOST_TEST(valid_utf8("\xED\xA0\x80") == rep + rep + rep);            // surrogate
  BOOST_TEST(valid_utf8("\xF4\x90\x80\x80") == rep + rep + rep + rep);  // above U+10FFFF
  BOOST_TEST(valid_utf8("\xE2\x9C") == rep + rep);                      // truncated at the end
  BOOST_TEST(valid_utf8("") == "");
}
