#include "actors/router/subscription_filter.hpp"

#include <algorithm>
#include <cctype>

#include "actors/util/spec_key.hpp"

namespace spec_notify::router {

namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool type_allowed(const filter& f, const std::string& type) {
  if (std::find(f.events.begin(), f.events.end(), type) != f.events.end()) return true;
  // Consensus conflicts are opt-in (issue 17 item 5): a filter that lists no types does not take them, so a
  // receiver never gets a type it did not ask for.
  return f.events.empty() && type != event_type::consensus_conflict;
}

bool status_allowed(const filter& f, const std::string& to) {
  if (f.statuses.empty()) return true;
  return std::any_of(f.statuses.begin(), f.statuses.end(),
                     [&](const std::string& s) { return iequals_ascii(s, to); });
}

bool spec_allowed(const filter& f, const std::string& spec_id) {
  if (f.specs.empty()) return true;
  if (spec_id.empty()) return false;
  const std::string key = util::spec_key(spec_id);
  return std::any_of(f.specs.begin(), f.specs.end(), [&](const std::string& pattern) {
    return glob_match(pattern, spec_id) || glob_match(pattern, key);
  });
}

bool task_allowed(const filter& f, const std::string& task_id) {
  if (f.tasks.empty()) return true;
  return std::any_of(f.tasks.begin(), f.tasks.end(), [&](const std::string& pattern) {
    if (has_glob_chars(pattern)) return glob_match(pattern, task_id);
    // A plain pattern is a prefix; an empty one would match everything, which nobody means to write.
    return !pattern.empty() && task_id.compare(0, pattern.size(), pattern) == 0;
  });
}

}  // namespace

bool has_glob_chars(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Classic single-backtrack-point matcher: on mismatch, let the last `*` swallow one more byte. Each `*`
  // supersedes the previous one, which keeps the worst case at O(pattern * text).
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

std::string patterns(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& p : list) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string refused(const char* name, const std::vector<std::string>& list, const std::string& value) {
  return std::string(name) + " filter " + patterns(list) + " does not match " + value;
}

}  // namespace

std::string mismatch_reason(const filter& f, const spec_notify::event& e) {
  if (e.type == event_type::test) return "";
  if (!type_allowed(f, e.type))
    return f.events.empty() ? "events filter lists no types, which takes every type but the opt-in " + e.type
                            : refused("events", f.events, e.type);
  if (!spec_allowed(f, e.spec_id))
    return refused("specs", f.specs,
                   e.spec_id.empty() ? "an event without a SPEC" : util::spec_key(e.spec_id));
  if (e.type != event_type::task_transitioned) return "";
  if (!status_allowed(f, e.to)) return refused("statuses", f.statuses, e.to.empty() ? "(no status)" : e.to);
  if (!task_allowed(f, e.task_id)) return refused("tasks", f.tasks, e.task_id);
  return "";
}

bool matches(const filter& f, const spec_notify::event& e) {
  if (e.type == event_type::test) return true;
  if (!type_allowed(f, e.type)) return false;
  if (!spec_allowed(f, e.spec_id)) return false;
  if (e.type == event_type::task_transitioned) return status_allowed(f, e.to) && task_allowed(f, e.task_id);
  return true;
}

}  // namespace spec_notify::router
