#include "actors/differ/status.hpp"

#include <array>
#include <utility>

namespace spec_notify::differ {

namespace {

bool is_emphasis(char c) {
  return c == '*' || c == '_' || c == '`' || c == '~';
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// Length of the white space sequence starting at s[i] (ASCII space or UTF-8 NBSP), 0 if none.
size_t space_len(std::string_view s, size_t i) {
  if (is_ascii_space(s[i])) return 1;
  if (s[i] == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') return 2;
  return 0;
}

struct word_list {
  task_status status;
  std::array<std::string_view, 7> words;  // unused slots are empty
};

// Order matters: the first list with a matching word wins (contract, "Status normalisation").
constexpr std::array<word_list, 5> kLists{{
    {task_status::done, {"done", "complete", "completed", "closed", "merged", "shipped", ""}},
    {task_status::in_review,
     {"in review", "needs review", "in-review", "ready for review", "review", "", ""}},
    {task_status::in_progress, {"in progress", "in-progress", "wip", "active", "started", "ongoing", ""}},
    {task_status::blocked, {"blocked", "", "", "", "", "", ""}},
    {task_status::backlog, {"backlog", "todo", "to do", "planned", "pending", "not started", "open"}},
}};

bool word_matches(std::string_view text, std::string_view word) {
  if (word.empty() || text.size() < word.size() || text.compare(0, word.size(), word) != 0) return false;
  if (text.size() == word.size()) return true;
  const char next = text[word.size()];
  return next == ' ' || next == '(' || next == ':' || next == ',';
}

// Applies every textual step of the rule before the word lookup.
std::string fold(std::string_view raw) {
  const std::string stripped = strip_emphasis(raw);
  std::string out;
  out.reserve(stripped.size());
  const std::string_view s = stripped;
  bool pending_space = false;
  for (size_t i = 0; i < s.size();) {
    if (const size_t n = space_len(s, i)) {
      pending_space = true;
      i += n;
      continue;
    }
    if (out.empty() && !is_ascii_letter(s[i])) {  // leading non-letters (digits, emoji bytes, punctuation)
      pending_space = false;
      ++i;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(ascii_lower(s[i]));
    ++i;
  }
  return out;
}

}  // namespace

const char* canonical_name(task_status status) {
  switch (status) {
    case task_status::backlog:
      return "Backlog";
    case task_status::in_progress:
      return "In Progress";
    case task_status::in_review:
      return "In Review";
    case task_status::blocked:
      return "Blocked";
    case task_status::done:
      return "Done";
    case task_status::other:
      break;
  }
  return "Other";
}

bool parse_canonical(std::string_view name, task_status& out) {
  constexpr std::array<task_status, 6> all{task_status::backlog,   task_status::in_progress,
                                           task_status::in_review, task_status::blocked,
                                           task_status::done,      task_status::other};
  for (const task_status s : all) {
    if (name == canonical_name(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

task_status normalise_status(std::string_view raw) {
  const std::string text = fold(raw);
  for (const word_list& list : kLists) {
    for (const std::string_view word : list.words) {
      if (word_matches(text, word)) return list.status;
    }
  }
  return task_status::other;
}

std::string strip_emphasis(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (!is_emphasis(c)) out.push_back(c);
  }
  return std::string(trim(out));
}

}  // namespace spec_notify::differ
