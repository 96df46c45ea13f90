#include "actors/differ/task_table.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>

#include "actors/differ/markdown.hpp"

namespace spec_notify::differ {

namespace {

using markdown::trim;

constexpr size_t kMaxWarnings = 100;
constexpr size_t kMaxQuoted = 60;  // bytes of cell text quoted in a warning

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_emphasis(char c) {
  return c == '*' || c == '_' || c == '`' || c == '~';
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Iterates lines without copying: strips one trailing '\r' (CRLF files) and a leading UTF-8 BOM.
class line_reader {
 public:
  explicit line_reader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }
  bool next(std::string_view& line) {
    if (!peek(line)) return false;
    unterminated_ = pos_ + line_len_ >= text_.size();
    pos_ = std::min(text_.size(), pos_ + line_len_ + 1);
    peeked_ = false;
    ++number_;
    return true;
  }
  // Whether the line last returned by next() ended the text without a '\n'.
  bool unterminated() const { return unterminated_; }
  bool peek(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    if (!peeked_) {
      const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
      line_len_ = nl ? static_cast<const char*>(nl) - (text_.data() + pos_) : text_.size() - pos_;
      peeked_ = true;
    }
    line = text_.substr(pos_, line_len_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0, line_len_ = 0;
  bool peeked_ = false, unterminated_ = false;
  int number_ = 0;
};

struct columns {
  int id = -1, task = -1, title = -1, status = -1, order = -1, prd = -1, evidence = -1, notes = -1;
};

// Header cell -> lower-case, emphasis-free, single-spaced name.
std::string header_key(std::string_view cell) {
  const std::string stripped = strip_emphasis(markdown::unescape_cell(cell));
  std::string key;
  for (const char c : stripped) {
    if (is_space(c)) {
      if (!key.empty() && key.back() != ' ') key.push_back(' ');
    } else {
      key.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  return key;
}

columns map_columns(const std::vector<std::string_view>& header) {
  columns cols;
  int task_id = -1, id = -1;
  const auto first = [](int& slot, int index) {
    if (slot < 0) slot = index;
  };
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string key = header_key(header[i]);
    const int index = static_cast<int>(i);
    if (key == "task id") first(task_id, index);
    if (key == "id") first(id, index);
    if (key == "task") first(cols.task, index);
    if (key == "title") first(cols.title, index);
    if (key == "status") first(cols.status, index);
    if (key == "order") first(cols.order, index);
    if (key == "prd") first(cols.prd, index);
    if (key == "evidence") first(cols.evidence, index);
    if (key == "notes") first(cols.notes, index);
  }
  cols.id = task_id >= 0 ? task_id : id;
  return cols;
}

// The contract's Task-cell id: a leading token that starts with a letter, contains a digit, is made of
// letters, digits, '-' and '.', and is followed by ':' (emphasis around it allowed: `**T26-DEMO-1**: ...`).
// On success `rest` is the text after the colon.
std::string_view leading_id_token(std::string_view cell, std::string_view& rest) {
  size_t i = 0;
  while (i < cell.size() && is_emphasis(cell[i])) ++i;
  const size_t start = i;
  if (i >= cell.size() || !is_letter(cell[i])) return {};
  bool has_digit = false;
  while (i < cell.size() && (is_letter(cell[i]) || is_digit(cell[i]) || cell[i] == '-' || cell[i] == '.')) {
    has_digit = has_digit || is_digit(cell[i]);
    ++i;
  }
  const size_t end = i;
  while (i < cell.size() && is_emphasis(cell[i])) ++i;
  if (!has_digit || i >= cell.size() || cell[i] != ':') return {};
  ++i;
  while (i < cell.size() && is_emphasis(cell[i]) && cell[i] != '`') ++i;  // closing `**` of `**T1:**`
  rest = trim(cell.substr(i));
  return cell.substr(start, end - start);
}

bool is_t_number(std::string_view id) {
  if (id.size() < 2 || id[0] != 'T') return false;
  for (size_t i = 1; i < id.size(); ++i) {
    if (!is_digit(id[i])) return false;
  }
  return true;
}

std::string quoted(std::string_view text) {
  return "'" + markdown::valid_utf8(text.substr(0, kMaxQuoted)) + (text.size() > kMaxQuoted ? "...'" : "'");
}

// The ids seen so far, as indices into the row vector (open addressing, 4 bytes a slot): a node-based map
// of id copies cost ~70 bytes a row, a third of a 100,000-row file's parse.
class id_index {
 public:
  const task_row* find(const std::string& id, const std::vector<task_row>& rows) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash(id) & mask(); slots_[i] != kEmpty; i = (i + 1) & mask()) {
      if (rows[slots_[i]].id == id) return &rows[slots_[i]];
    }
    return nullptr;
  }
  // REQUIRES: `id` not present; `index` is where its row will be in `rows`.
  void insert(const std::string& id, size_t index, const std::vector<task_row>& rows) {
    if ((count_ + 1) * 2 > slots_.size()) grow(rows);
    size_t i = hash(id) & mask();
    while (slots_[i] != kEmpty) i = (i + 1) & mask();
    slots_[i] = static_cast<uint32_t>(index);
    ++count_;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static size_t hash(const std::string& id) { return std::hash<std::string>{}(id); }
  size_t mask() const { return slots_.size() - 1; }
  void grow(const std::vector<task_row>& rows) {
    std::vector<uint32_t> old(std::max<size_t>(slots_.size() * 2, 64), kEmpty);
    old.swap(slots_);
    for (uint32_t index : old) {
      if (index == kEmpty) continue;
      size_t i = hash(rows[index].id) & mask();
      while (slots_[i] != kEmpty) i = (i + 1) & mask();
      slots_[i] = index;
    }
  }
  std::vector<uint32_t> slots_;
  size_t count_ = 0;
};

class file_parser {
 public:
  file_parser(std::string_view rel_path, parse_options options)
      : path_(rel_path), file_spec_(spec_id_from_path(rel_path)), options_(options) {}

  parse_result run(std::string_view text) {
    // Growing the row vector by doubling would hold the old and the new copy at once (1.5x its size, at
    // its largest): one count of lines bounds the rows, and untouched reserved pages cost no memory.
    if (options_.max_rows != 0) {
      const auto line_count = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      result_.rows.reserve(std::min(line_count, options_.max_rows));
    }
    line_reader lines(text);
    std::string_view line;
    markdown::fence open;
    while (!capped() && lines.next(line)) {
      if (open.marker != 0) {
        if (markdown::closes_fence(line, open)) open = {};
        continue;
      }
      open = markdown::opening_fence(line);
      if (open.marker != 0) continue;
      if (skip_html_comment(lines, line)) continue;
      const std::string_view t = trim(line);
      if (!t.empty() && t.front() == '|') {
        const int header_line = lines.number();
        std::string_view next;
        size_t delimiter_cells = 0;
        if (lines.peek(next) && markdown::is_delimiter_row(next, delimiter_cells)) {
          lines.next(next);
          table(lines, t, header_line, delimiter_cells);
        }
        continue;
      }
      markdown::checklist_item item;
      if (markdown::parse_checklist_item(line, item)) {
        if (options_.tail_may_be_partial && lines.unterminated()) {  // "- [x] T00" of "- [x] T001 ..."
          result_.partial_tail = true;
          continue;
        }
        checklist(item, lines.number());
      }
    }
    if (dropped_ > 0) {
      result_.warnings.push_back(markdown::valid_utf8(path_) + ": " + std::to_string(dropped_) +
                                 " more warnings dropped");
    }
    return std::move(result_);
  }

 private:
  void table(line_reader& lines, std::string_view header, int header_line, size_t delimiter_cells) {
    splitter_.split(header, cells_);
    const columns cols = map_columns(cells_);
    const size_t header_cells = cells_.size();
    if (cols.status >= 0 && cells_.size() != delimiter_cells) {
      warn(header_line, "header has " + std::to_string(cells_.size()) + " cells but the delimiter row has " +
                            std::to_string(delimiter_cells));
    }
    const bool closing_pipes = !header.empty() && header.back() == '|';  // header is trimmed
    std::string_view line;
    while (!capped() && lines.peek(line)) {
      const std::string_view t = trim(line);
      if (t.empty() || t.front() != '|') break;
      lines.next(line);
      if (cols.status < 0) continue;
      // A writer that truncates and rewrites in place can be caught mid-row ("| T1 | first | Do"): such a
      // last row is not read, so its task keeps its known state instead of flapping Done -> Other -> Done.
      // Without a closing '|' in a table that has them it is surely cut; otherwise only while the file may
      // still be being written (then the engine reads it again later).
      if (lines.unterminated() && t.back() != '|' && (closing_pipes || options_.tail_may_be_partial)) {
        if (options_.tail_may_be_partial)
          result_.partial_tail = true;
        else
          warn(lines.number(),
               "last row is cut short (no closing '|', no newline; file still being written?); skipped");
        continue;
      }
      table_row(cols, t, lines.number(), header_cells);
    }
  }

  void table_row(const columns& cols, std::string_view line, int line_no, size_t header_cells) {
    splitter_.split(line, cells_);
    // Code spans shield their pipes (`a | b` in a Task cell must not shift the Status column), but a stray
    // backtick would pair with one cells away and swallow the cells between: when only GFM's plain split
    // (every unescaped '|') gives the header's cell count, that one is right.
    if (cells_.size() != header_cells && line.find('`') != std::string_view::npos) {
      splitter_.split(line, plain_cells_, false);
      if (plain_cells_.size() == header_cells) cells_.swap(plain_cells_);
    }
    if (markdown::is_delimiter_cells(cells_)) return;  // a repeated delimiter row is no task
    if (static_cast<size_t>(cols.status) >= cells_.size()) {
      warn(line_no, "row has " + std::to_string(cells_.size()) + " cells, no Status cell (column " +
                        std::to_string(cols.status + 1) + "); skipped");
      return;
    }
    // Views of the unescaped cells; each scratch string backs at most one live view.
    const auto cell = [&](int col, std::string& scratch) -> std::string_view {
      if (col < 0 || static_cast<size_t>(col) >= cells_.size()) return {};
      return markdown::unescape_cell(cells_[col], scratch);
    };
    std::string scratch_task, scratch;
    const std::string_view task = cell(cols.task, scratch_task);
    std::string_view task_title = task;
    const std::string_view token = leading_id_token(task, task_title);
    std::string id = strip_emphasis(cell(cols.id, scratch));
    if (id.empty()) id = std::string(token);
    if (id.empty()) {
      const std::string order = strip_emphasis(cell(cols.order, scratch));
      if (!order.empty()) id = "#" + order;
    }
    if (id.empty()) {
      warn(line_no, "row has no task id (ID/Task ID cell, `ID:` in Task, or Order); skipped");
      return;
    }
    task_row row;
    row.id = std::move(id);
    row.title = std::string(cell(cols.title, scratch));
    if (row.title.empty()) row.title = std::string(task_title);
    row.raw_status = std::string(cell(cols.status, scratch));
    row.status = normalise_status(row.raw_status);
    row.spec_id = file_spec_;
    for (const int col : {cols.prd, cols.evidence, cols.notes}) {
      if (row.spec_id.empty()) row.spec_id = spec_id_in_text(cell(col, scratch));
    }
    row.line = line_no;
    add(std::move(row));
  }

  // CommonMark HTML block of type 2: from a line starting with `<!--` (up to 3 spaces in) to the line holding
  // `-->`. A table commented out there is not rendered, so it is not read (nor can it shadow the live one).
  bool skip_html_comment(line_reader& lines, std::string_view line) {
    size_t indent = 0;
    while (indent < line.size() && indent < 4 && line[indent] == ' ') ++indent;
    if (indent > 3 || line.substr(indent, 4) != "<!--") return false;
    std::string_view rest = line.substr(indent + 4);
    while (rest.find("-->") == std::string_view::npos && lines.next(rest)) {
    }
    return true;
  }

  void checklist(const markdown::checklist_item& item, int line_no) {
    const std::string_view token = item.rest.substr(0, item.rest.find_first_of(" \t"));
    std::string id = strip_emphasis(token);
    if (!id.empty() && id.back() == ':') id.pop_back();
    if (!is_t_number(id)) return;  // plain to-do items carry no task id and are not tracked
    task_row row;
    row.id = std::move(id);
    row.title = std::string(trim(item.rest.substr(token.size())));
    row.raw_status = std::string(item.box);
    row.status = item.checked ? task_status::done : task_status::backlog;
    row.spec_id = file_spec_;
    row.line = line_no;
    add(std::move(row));
  }

  void add(task_row row) {
    markdown::make_valid_utf8(row.id);
    if (const task_row* first = ids_.find(row.id, result_.rows)) {
      warn(row.line, "duplicate task id " + quoted(row.id) + " (first at line " +
                         std::to_string(first->line) + ") ignored");
      return;
    }
    if (options_.max_rows != 0 && result_.rows.size() >= options_.max_rows) {
      result_.rows_capped_at_line = row.line;  // stops the parse: the rest of the file is not read
      return;
    }
    ids_.insert(row.id, result_.rows.size(), result_.rows);
    markdown::make_valid_utf8(row.title);
    markdown::make_valid_utf8(row.raw_status);
    markdown::make_valid_utf8(row.spec_id);
    result_.rows.push_back(std::move(row));
  }

  bool capped() const { return result_.rows_capped_at_line != 0; }

  void warn(int line_no, const std::string& message) {
    if (result_.warnings.size() >= kMaxWarnings) {
      ++dropped_;
      return;
    }
    result_.warnings.push_back(markdown::valid_utf8(path_) + ":" + std::to_string(line_no) + ": " + message);
  }

  std::string_view path_;
  std::string file_spec_;
  parse_options options_;
  parse_result result_;
  id_index ids_;
  markdown::cell_splitter splitter_;
  std::vector<std::string_view> cells_, plain_cells_;  // reused for every row
  size_t dropped_ = 0;
};

bool is_path_char(char c) {
  return is_letter(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
}

}  // namespace

std::string spec_id_from_path(std::string_view rel_path) {
  constexpr std::string_view prefix = "docs/", suffix = "/tasks.md";
  if (rel_path.size() <= prefix.size() + suffix.size() || rel_path.substr(0, prefix.size()) != prefix ||
      rel_path.substr(rel_path.size() - suffix.size()) != suffix) {
    return {};
  }
  const std::string_view folder =
      rel_path.substr(prefix.size(), rel_path.size() - prefix.size() - suffix.size());
  if (folder.find('/') != std::string_view::npos) return {};  // deeper folders are not task files
  return std::string(folder);
}

std::string spec_id_in_text(std::string_view text) {
  constexpr std::string_view needle = "docs/SPEC-";
  for (size_t pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + 1)) {
    if (pos > 0 && is_path_char(text[pos - 1])) continue;  // e.g. "mydocs/SPEC-..."
    const size_t begin = pos + 5;
    size_t end = begin;
    while (end < text.size() && is_path_char(text[end])) ++end;
    if (end < text.size() && text[end] == '/' && end > pos + needle.size()) {
      return std::string(text.substr(begin, end - begin));
    }
  }
  return {};
}

parse_result parse_task_file(std::string_view text, std::string_view rel_path, parse_options options) {
  return file_parser(rel_path, options).run(text);
}

}  // namespace spec_notify::differ
