#pragma once
// Internal to config/: typed, located access to toml++ tables. Every getter reports its own problems
// (wrong type, bad value) at the node's file:line:col into the shared problem list and tells the caller
// whether `out` was set, so loaders read every key and collect all problems in one pass.
// toml++ types stop here: nothing outside config/ includes this header.
#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/duration.hpp"
#include "config/settings.hpp"

namespace spec_notify::config::detail {

// A table being read and how its problems are worded: "<label><key_prefix><key> must be ...".
struct scope {
  const toml::table& table;
  std::string label;       // "" for [notify], "subscription 'chatops': " for a subscription
  std::string key_prefix;  // "notify." / "" / "retry."
  std::string header;      // "[notify]", "[[notify.subscriptions]]", ... for unknown-key messages
  std::string key(std::string_view k) const { return label + key_prefix + std::string(k); }
};

// Checks one array element; returns an error message, or nullopt when the element is fine.
using element_check = std::function<std::optional<std::string>(const std::string&)>;

class toml_reader {
 public:
  toml_reader(std::string file, std::vector<config_problem>& problems)
      : file_(std::move(file)), problems_(problems) {}

  void error(const toml::source_region& where, std::string message) { add(where, std::move(message), false); }
  void warning(const toml::source_region& where, std::string message) {
    add(where, std::move(message), true);
  }

  // A problem located in another file (a subscription's template), at that file's own line and column.
  void add_problem(config_problem p) { problems_.push_back(std::move(p)); }

  // Reports each key of s.table that is not in `allowed`, suggesting the closest allowed key. Keys found in
  // `nested` (the keys of sub-table `nested_name`) get "belongs in [nested_name]" instead.
  void reject_unknown_keys(const scope& s, const std::vector<std::string_view>& allowed,
                           const std::vector<std::string_view>& nested = {},
                           std::string_view nested_name = "");

  // Reports a missing required key at the table's own position; returns whether the key is present.
  bool require(const scope& s, std::string_view key);

  // Getters: absent -> false without a problem (out keeps its default); wrong type or bad value -> an error
  // at the value and false; else out is set and true.
  bool get_string(const scope& s, std::string_view key, std::string& out);
  bool get_bool(const scope& s, std::string_view key, bool& out);
  bool get_int(const scope& s, std::string_view key, int64_t lo, int64_t hi, int64_t& out);
  bool get_number(const scope& s, std::string_view key, double& out);  // integers accepted too
  // Durations above `max` (at most kMaxDuration, 100 years) are errors naming the limit.
  bool get_duration(const scope& s, std::string_view key, bool allow_zero, std::chrono::milliseconds& out,
                    std::chrono::milliseconds max = kMaxDuration);
  // Arrays of strings; each element is checked by `check` (when given) and reported at its own position.
  bool get_strings(const scope& s, std::string_view key, std::vector<std::string>& out,
                   const element_check& check = nullptr);

  const std::string& file() const { return file_; }

 private:
  void add(const toml::source_region& where, std::string message, bool warning);
  void type_error(const scope& s, std::string_view key, const toml::node& node, std::string_view expected);

  std::string file_;
  std::vector<config_problem>& problems_;
};

// The closest candidate to `word` (edit distance, case-insensitive), or "" when none is close enough.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace spec_notify::config::detail
