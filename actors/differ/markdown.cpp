#include "actors/differ/markdown.hpp"

#include <algorithm>

namespace spec_notify::differ::markdown {

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  const unsigned c = b(i);
  if (c >= 0x01 && c <= 0x7F) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;  // NUL, stray continuation byte, overlong lead or out of range
}

}  // namespace

std::string_view trim(std::string_view s) {
  s = ltrim(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Every maximal backtick run of `t`, each linked to the next run of equal length. Linear: the "next run of
// length n" table is indexed by length, and the lengths sum to at most t.size().
void cell_splitter::find_backtick_runs(std::string_view t) {
  runs_.clear();
  size_t longest = 0;
  for (size_t i = t.find('`'); i != npos; i = t.find('`', i)) {
    size_t j = i;
    while (j < t.size() && t[j] == '`') ++j;
    runs_.push_back({i, j - i, npos});
    longest = std::max(longest, j - i);
    i = j;
  }
  next_of_len_.assign(longest + 1, npos);
  for (size_t k = runs_.size(); k-- > 0;) {
    runs_[k].close = next_of_len_[runs_[k].len];
    next_of_len_[runs_[k].len] = k;
  }
}

void cell_splitter::split(std::string_view line, std::vector<std::string_view>& out, bool shield_code_spans) {
  out.clear();
  const std::string_view t = trim(line);
  size_t i = (!t.empty() && t.front() == '|') ? 1 : 0;
  size_t start = i;
  const bool has_ticks = shield_code_spans && t.find('`', i) != npos;
  if (has_ticks) find_backtick_runs(t);
  // Jump between the three special characters with memchr-backed finds rather than testing every byte.
  size_t pipe = t.find('|', i), escape = t.find('\\', i), tick = has_ticks ? t.find('`', i) : npos;
  size_t r = 0;
  while (true) {
    if (pipe < i) pipe = t.find('|', i);
    if (escape < i) escape = t.find('\\', i);
    if (tick < i) tick = t.find('`', i);
    i = std::min({pipe, escape, tick});
    if (i >= t.size()) break;
    if (i == pipe) {
      out.push_back(trim(t.substr(start, i - start)));
      start = ++i;
    } else if (i == escape) {
      i += 2;
    } else {
      while (r < runs_.size() && runs_[r].pos < i) ++r;
      if (r < runs_.size() && runs_[r].pos == i) {
        const tick_run& run = runs_[r];
        // A code span shields its pipes; an unmatched run is literal text.
        i = run.close != npos ? runs_[run.close].pos + run.len : run.pos + run.len;
      } else {
        ++i;  // inside a run entered through an escape
      }
    }
  }
  if (start < t.size()) out.push_back(trim(t.substr(start)));
}

void split_cells(std::string_view line, std::vector<std::string_view>& out) {
  cell_splitter().split(line, out);
}

std::string unescape_cell(std::string_view cell) {
  std::string scratch;
  return std::string(unescape_cell(cell, scratch));
}

std::string_view unescape_cell(std::string_view cell, std::string& scratch) {
  if (cell.find("\\|") == npos) return cell;
  scratch.clear();
  for (size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '\\' && i + 1 < cell.size() && cell[i + 1] == '|') ++i;
    scratch.push_back(cell[i]);
  }
  return scratch;
}

bool is_delimiter_cells(const std::vector<std::string_view>& cells) {
  if (cells.empty()) return false;
  for (std::string_view cell : cells) {
    if (!cell.empty() && cell.front() == ':') cell.remove_prefix(1);
    if (!cell.empty() && cell.back() == ':') cell.remove_suffix(1);
    if (cell.empty() || cell.find_first_not_of('-') != npos) return false;
  }
  return true;
}

bool is_delimiter_row(std::string_view line, size_t& cells) {
  const std::string_view t = trim(line);
  if (t.empty() || (t.front() != '|' && t.front() != ':' && t.front() != '-') || t.find('|') == npos) {
    return false;
  }
  std::vector<std::string_view> parts;
  split_cells(t, parts);
  if (!is_delimiter_cells(parts)) return false;
  cells = parts.size();
  return true;
}

fence opening_fence(std::string_view line) {
  const std::string_view t = ltrim(line);
  if (t.empty() || (t.front() != '`' && t.front() != '~')) return {};
  const char marker = t.front();
  const size_t length = std::min(t.find_first_not_of(marker), t.size());
  if (length < 3) return {};
  if (marker == '`' && t.find('`', length) != npos) return {};  // inline code such as ```a``` b
  return {marker, length};
}

bool closes_fence(std::string_view line, fence open) {
  const std::string_view t = ltrim(line);
  if (open.marker == 0 || t.empty() || t.front() != open.marker) return false;
  const size_t length = std::min(t.find_first_not_of(open.marker), t.size());
  return length >= open.length && trim(t.substr(length)).empty();
}

bool parse_checklist_item(std::string_view line, checklist_item& out) {
  std::string_view t = ltrim(line);
  if (t.size() < 5 || (t[0] != '-' && t[0] != '*' && t[0] != '+') || (t[1] != ' ' && t[1] != '\t')) {
    return false;
  }
  t = ltrim(t.substr(2));
  if (t.size() < 3 || t[0] != '[' || t[2] != ']' || (t[1] != ' ' && t[1] != 'x' && t[1] != 'X')) return false;
  if (t.size() > 3 && !is_space(t[3])) return false;  // "[x]abc" is not a task box
  out.checked = t[1] != ' ';
  out.box = t.substr(0, 3);
  out.rest = trim(t.substr(3));
  return true;
}

void make_valid_utf8(std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte != 0 && byte < 0x80) {  // fast path: ASCII other than NUL
      ++i;
      continue;
    }
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      text = valid_utf8(text);
      return;
    }
    i += n;
  }
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace spec_notify::differ::markdown
