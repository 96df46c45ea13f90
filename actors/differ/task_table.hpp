#pragma once
// Extracts the task rows of one Spec Kit file (SPEC.md or docs/<SPEC-ID>/tasks.md) following the contract's
// "Task transitions" rules: GFM pipe tables with a Status column (any number per file, 5- and 11-column
// trackers, `| ID | Task | Status | Reason |`, ...) and task-list checklists (`- [x] **T001** ...`).
// Tables and checklists inside fenced code blocks and HTML comments (`<!-- ... -->`) are ignored.
//
// Called by the differ (engine) for every changed task file; the rows feed diff_rows(). Persists nothing.
// Pure function of its inputs: thread-safe, never throws on any input (CRLF, BOM, NUL bytes, invalid UTF-8,
// huge lines, no trailing newline) and linear in the input size (no regex).
#include <string>
#include <string_view>
#include <vector>

#include "actors/differ/status.hpp"

namespace spec_notify::differ {

// All strings are valid UTF-8 (invalid sequences and NUL bytes become U+FFFD), so ids are safe in
// NUL-separated store keys and every field is safe in JSON.
struct task_row {
  // The `Task ID` / `ID` cell, else the `TOKEN:` that starts the Task cell, else "#<Order>"; for checklist
  // items the T<digits> token. Emphasis-stripped.
  std::string id;
  // The Title cell, else the Task cell text (after its `TOKEN:` if any), else the checklist text after the
  // id. Raw markdown, trimmed.
  std::string title;
  // The Status cell as written (trimmed, `\|` unescaped); "[ ]", "[x]" or "[X]" for checklist items.
  std::string raw_status;
  // normalise_status(raw_status); Done / Backlog for checked / unchecked checklist items.
  task_status status = task_status::other;
  // docs/<X>/tasks.md -> X; otherwise the first docs/SPEC-.../ folder in the PRD, Evidence, then Notes cell;
  // "" = null.
  std::string spec_id;
  int line = 0;  // 1-based line of the row in the file
};

struct parse_result {
  std::vector<task_row> rows;         // file order; an id appears at most once (its first occurrence)
  std::vector<std::string> warnings;  // "path:line: message" for skipped rows, ragged tables, duplicates...
  // A last line without '\n' was not read because parse_options::tail_may_be_partial: read the file again
  // once its writer is done.
  bool partial_tail = false;
  // parse_options::max_rows was reached: the row at this line (1-based) and everything after it were not
  // read. 0 = the whole file was read. The caller warns (it knows the config key).
  int rows_capped_at_line = 0;
};

struct parse_options {
  // The file may still be being written (no trailing newline, modified a moment ago): a last line without
  // '\n' that is a table row or checklist item is left out (its task keeps its known state). A last row cut
  // before the closing '|' of a table that uses closing pipes is always left out, with a warning.
  bool tail_may_be_partial = false;
  // At most this many rows are returned (0 = no limit): parsing stops at the first row past it, so one huge
  // file costs bounded memory (engine: settings.max_task_rows).
  size_t max_rows = 0;
};

// REQUIRES: rel_path is relative to the repo root with `/` separators ("SPEC.md",
// "docs/SPEC-KIT-075-x/tasks.md"). Warnings are capped (the last one says how many were dropped) so a garbage
// file cannot flood the logs.
parse_result parse_task_file(std::string_view text, std::string_view rel_path, parse_options options = {});

// The SPEC id a docs/<X>/tasks.md path implies (X), or "" for any other path.
std::string spec_id_from_path(std::string_view rel_path);

// The first `docs/SPEC-<...>/` folder name in `text` ("see docs/SPEC-KIT-065-add-x/PRD.md" ->
// "SPEC-KIT-065-add-x"), or "" when there is none.
std::string spec_id_in_text(std::string_view text);

}  // namespace spec_notify::differ
