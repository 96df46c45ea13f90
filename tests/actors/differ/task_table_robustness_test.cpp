#define BOOST_TEST_MODULE task_table_robustness
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>

#include "actors/differ/markdown.hpp"
#include "actors/differ/task_table.hpp"
#include "print_status.hpp"

using namespace spec_notify::differ;

namespace {

// Deterministic generator: the same garbage on every run.
struct lcg {
  uint64_t state;
  uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  }
};

// Every string the parser returns must be valid UTF-8 without NUL, and every row must have an id.
void check_sane(const parse_result& r) {
  for (const auto& row : r.rows) {
    BOOST_TEST(!row.id.empty());
    BOOST_TEST(row.line >= 1);
    for (const std::string* s : {&row.id, &row.title, &row.raw_status, &row.spec_id}) {
      BOOST_TEST(markdown::valid_utf8(*s) == *s);
    }
  }
  for (const auto& w : r.warnings) BOOST_TEST(markdown::valid_utf8(w) == w);
}

const std::string kSeed =
    "| Order | Task ID | Title | Status | PRD | Notes |\n|---|---|---|---|---|---|\n"
    "| 1 | T1 | `a|b` \\| c | **DONE** | docs/SPEC-KIT-1-x/PRD.md | n |\n"
    "| 2 | T2 | x | Blocked (HAL) |  |  |\n"
    "```\n| ID | Status |\n|---|---|\n| T3 | Done |\n```\n"
    "- [x] **T4** item\n- [ ] T5 item\n";

}  // namespace

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_the_parser) {
  lcg rng{42};
  for (int round = 0; round < 2000; ++round) {
    std::string text(rng.next() % 512, '\0');
    for (char& c : text) c = static_cast<char>(rng.next() & 0xff);
    check_sane(parse_task_file(text, round % 2 ? "SPEC.md" : "docs/SPEC-X/tasks.md"));
  }
}

BOOST_AUTO_TEST_CASE(mutated_markdown_never_crashes_the_parser) {
  lcg rng{7};
  const char alphabet[] = {'|', '`', '\\', '\n', '\r', '\0', '-',    ':',
                           '*', '[', ']',  'x',  ' ',  '~',  '\xff', 'T'};
  for (int round = 0; round < 5000; ++round) {
    std::string text = kSeed;
    for (int edits = 1 + rng.next() % 8; edits > 0; --edits) {
      const size_t at = rng.next() % (text.size() + 1);
      const char c = alphabet[rng.next() % sizeof(alphabet)];
      switch (rng.next() % 3) {
        case 0:
          text.insert(at, 1, c);
          break;
        case 1:
          if (at < text.size()) text[at] = c;
          break;
        default:
          if (at < text.size()) text.erase(at, 1 + rng.next() % 4);
      }
    }
    check_sane(parse_task_file(text, "SPEC.md"));
  }
}

BOOST_AUTO_TEST_CASE(huge_lines_and_pathological_inputs_finish) {
  // A 4 MB table row.
  std::string row = "| ID | Title | Status |\n|---|---|---|\n| T1 | ";
  for (int i = 0; i < 400000; ++i) row += "x `y` \\| ";
  row += "| Done |\n";
  auto r = parse_task_file(row, "SPEC.md");
  BOOST_TEST(r.rows.size() == 1u);
  check_sane(r);

  // Backtick runs of every length, none closed: the pairing must stay linear.
  std::string ticks = "| ID | Status |\n|---|---|\n| T1 ";
  for (size_t n = 1; ticks.size() < 2000000; ++n) ticks += std::string(n, '`') + " | ";
  r = parse_task_file(ticks, "SPEC.md");
  check_sane(r);

  // A megabyte of pipes, of delimiter rows, of newlines, of NUL bytes.
  check_sane(parse_task_file(std::string(1 << 20, '|'), "SPEC.md"));
  std::string delimiters = "| Status |\n";
  for (int i = 0; i < 100000; ++i) delimiters += "|---|\n";
  check_sane(parse_task_file(delimiters, "SPEC.md"));
  check_sane(parse_task_file(std::string(1 << 20, '\n'), "SPEC.md"));
  check_sane(parse_task_file(std::string(1 << 20, '\0'), "SPEC.md"));
  check_sane(parse_task_file(std::string(1 << 20, '`'), "SPEC.md"));
}

BOOST_AUTO_TEST_CASE(many_rows_with_the_same_id_keep_the_first_only) {
  std::string text = "| ID | Status |\n|---|---|\n";
  for (int i = 0; i < 20000; ++i) text += "| T1 | " + std::string(i % 2 ? "Done" : "Backlog") + " |\n";
  const auto r = parse_task_file(text, "SPEC.md");
  BOOST_TEST(r.rows.size() == 1u);
  BOOST_TEST(r.rows[0].status == task_status::backlog);
  BOOST_TEST(r.warnings.size() == 101u);
}
