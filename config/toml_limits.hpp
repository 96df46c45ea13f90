#pragma once
// Internal to config/: structural limits checked on the raw text BEFORE it reaches toml++. toml++ builds one
// nested table per dotted-key segment or header segment and recurses once per nested array / inline table
// while parsing, and again per level when the tree is destroyed: a 50,000-segment key `a.a.a...= 1` or
// `x = [[[[...]]]]` overflows the stack (of check-config, serve, or a daemon re-reading its file on SIGHUP)
// even inside a table spec-notify ignores. Bounding the nesting here keeps every later recursion shallow.
// Pure functions, thread-safe; called by load_settings_text / load_settings_file only.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace spec_notify::config::detail {

// A config file larger than this is refused before it is read completely (a real one is a few KiB).
inline constexpr size_t kMaxConfigBytes = 1024 * 1024;

// Deepest nesting accepted: every header segment, dotted-key segment, array and inline table counts one level
// ([notify.subscriptions.retry] with max_attempts = 1 is depth 4).
inline constexpr int kMaxNestingDepth = 32;

// The first limit `text` breaks, as an error at its file:line:col (column in characters), or nullopt. Strings
// and comments are skipped with TOML's own rules, so a '[' or '.' inside a string never counts. Malformed
// TOML is not reported here (toml++ does that, with a better message) unless it also breaks a limit.
std::optional<config_problem> check_toml_limits(std::string_view text, const std::string& file);

}  // namespace spec_notify::config::detail
