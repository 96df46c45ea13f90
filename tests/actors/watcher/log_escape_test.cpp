#define BOOST_TEST_MODULE log_escape
// The watcher's and differ's warnings carry repo paths, ids and titles: logging::escape_controls keeps each
// of them on one line and free of terminal control sequences.
#include <boost/test/unit_test.hpp>

#include "actors/log.hpp"

using spec_notify::logging::escape_controls;

BOOST_AUTO_TEST_CASE(newline_and_carriage_return_in_a_folder_name_cannot_start_a_new_line) {
  const std::string forged = "docs/X\n2026-01-01T00:00:00.000Z error supervisor: forged\r/tasks.md";
  const std::string out = escape_controls(forged);
  BOOST_TEST(out.find('\n') == std::string::npos);
  BOOST_TEST(out.find('\r') == std::string::npos);
  BOOST_TEST(out == "docs/X\\n2026-01-01T00:00:00.000Z error supervisor: forged\\r/tasks.md");
}

BOOST_AUTO_TEST_CASE(esc_other_c0_controls_and_del_become_hex_escapes) {
  BOOST_TEST(escape_controls("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  BOOST_TEST(escape_controls(std::string("a\0b", 3)) == "a\\x00b");
  BOOST_TEST(escape_controls("\x07\x08\x7f\t") == "\\x07\\x08\\x7f\\t");
}

BOOST_AUTO_TEST_CASE(utf8_c1_controls_are_escaped_and_other_text_passes_unchanged) {
  BOOST_TEST(escape_controls("\xc2\x9b"
                             "31m") == "\\u009b31m");  // 8-bit CSI
  BOOST_TEST(escape_controls("caf\xc3\xa9 \xc2\xa0 \xe2\x9c\x85 T-1: done | `x`") ==
             "caf\xc3\xa9 \xc2\xa0 \xe2\x9c\x85 T-1: done | `x`");
  BOOST_TEST(escape_controls("trailing \xc2") == "trailing \xc2");
  BOOST_TEST(escape_controls("") == "");
}
