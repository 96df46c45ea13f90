#pragma once
// Line-level Markdown scanning used by task_table: GFM pipe-table cells, delimiter rows, code fences and task
// list items. Everything works on string_views into the caller's text (no copies, no regex) and is linear in
// the line length, whatever the bytes (NUL, invalid UTF-8, megabyte lines). Pure functions: thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace spec_notify::differ::markdown {

// Strips leading / trailing ASCII white space.
std::string_view trim(std::string_view s);

// Splits a table line into trimmed cells, keeping empty cells. One leading and one trailing unescaped `|` are
// delimiters, not cells ("| a | |" -> {"a", ""}). `\|` does not split, and neither does a `|` inside a code
// span whose closing backtick run is on the same line. Cells are left escaped: see unescape_cell.
// Keeps its scratch buffers between calls: use one splitter per parse, not shared between threads.
class cell_splitter {
 public:
  // `out` is cleared first; passing the same vector for every row avoids reallocations. With
  // `shield_code_spans`, pipes inside a code span (`a | b`) do not split; without, every unescaped '|' does.
  void split(std::string_view line, std::vector<std::string_view>& out, bool shield_code_spans = true);

 private:
  struct tick_run {
    size_t pos, len;
    size_t close;  // index of the next run of the same length, npos if none
  };
  void find_backtick_runs(std::string_view t);
  std::vector<tick_run> runs_;
  std::vector<size_t> next_of_len_;
};

// One-shot convenience over cell_splitter.
void split_cells(std::string_view line, std::vector<std::string_view>& out);

// Replaces `\|` by `|` (the only escape GFM resolves at the table level).
std::string unescape_cell(std::string_view cell);
// Same, without allocating when there is nothing to unescape: returns `cell` itself or a view of `scratch`.
std::string_view unescape_cell(std::string_view cell, std::string& scratch);

// True when every cell is `-`s with optional leading/trailing `:` (and there is at least one cell).
bool is_delimiter_cells(const std::vector<std::string_view>& cells);
// True for a GFM delimiter row: contains `|`, and every cell is `-`s with optional leading/trailing `:`
// (`|---|`, `| --- |`, `|:---:|`). `cells` receives the cell count.
bool is_delimiter_row(std::string_view line, size_t& cells);

// A fenced code block opener/closer: 3+ backticks or tildes after any indentation.
struct fence {
  char marker = 0;  // 0 = not a fence line
  size_t length = 0;
};
// The fence that `line` opens, if any (a backtick fence's info string may not contain a backtick).
fence opening_fence(std::string_view line);
// True when `line` closes `open` (same marker, at least as long, nothing but white space after it).
bool closes_fence(std::string_view line, fence open);

// A task list item `- [ ] rest` / `* [x] rest` / `+ [X] rest` (any indentation).
struct checklist_item {
  bool checked = false;
  std::string_view box;   // "[ ]", "[x]" or "[X]"
  std::string_view rest;  // trimmed text after the box
};
bool parse_checklist_item(std::string_view line, checklist_item& out);

// `text` with invalid UTF-8 sequences and NUL bytes replaced by U+FFFD, so every string the differ hands on
// is safe to put into JSON payloads, logs and NUL-separated store keys.
std::string valid_utf8(std::string_view text);
// In place; does not allocate when `text` is already valid (the common case).
void make_valid_utf8(std::string& text);

}  // namespace spec_notify::differ::markdown
