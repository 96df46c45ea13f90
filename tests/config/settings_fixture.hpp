#pragma once
// Shared helpers for the settings tests: an in-memory environment, a loader bound to it, and lookups of
// problems by message fragment. Header-only; included by tests/config/settings*_test.cpp.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace spec_notify::config::testing {

// 32 bytes 0x00..0x1f, and the same again rotated: two valid, distinct secrets.
inline const std::string kSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline const std::string kOlderSecret = "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u";
// 23 bytes: one short of the minimum.
inline const std::string kShortSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=";

inline env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline env_lookup default_env() {
  return fake_env({{"TEST_SECRET", kSecret}});
}

// Loads `text` as "test.toml" with the tests/ folder as the config directory (so repo = "." exists).
inline load_result load(std::string_view text, const env_lookup& env = default_env()) {
  return load_settings_text(text, "test.toml", SPEC_NOTIFY_TEST_DIR, env);
}

// A valid [notify] block with one subscription; tests append keys or more tables to it.
inline const std::string kMinimal = R"([notify]
[[notify.subscriptions]]
name = "chatops"
url = "http://127.0.0.1:8080/hooks/spec"
secret_env = "TEST_SECRET"
)";

// One [[notify.subscriptions]] table of four lines: the header, name (left out when empty), url and
// secret_env.
inline std::string subscription_toml(std::string_view name, std::string_view url = "http://127.0.0.1/",
                                     std::string_view secret_env = "TEST_SECRET") {
  std::string text = "[[notify.subscriptions]]\n";
  if (!name.empty()) text.append("name = \"").append(name).append("\"\n");
  return text.append("url = \"").append(url).append("\"\nsecret_env = \"").append(secret_env).append("\"\n");
}

inline std::string dump(const load_result& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.to_string() + "\n";
  return out;
}

inline const config_problem* find_problem(const load_result& r, std::string_view fragment) {
  for (const auto& p : r.problems)
    if (p.message.find(fragment) != std::string::npos) return &p;
  return nullptr;
}

// Checks that a problem whose message contains `fragment` is reported at `line` with the given severity.
inline void expect_problem(const load_result& r, int line, std::string_view fragment, bool warning = false) {
  const config_problem* p = find_problem(r, fragment);
  BOOST_TEST_INFO("looking for '" << fragment << "' in:\n" << dump(r));
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST(p->line == line);
  BOOST_TEST(p->col > 0);
  BOOST_TEST(p->file == "test.toml");
  BOOST_TEST(p->warning == warning);
}

inline size_t error_count(const load_result& r) {
  size_t n = 0;
  for (const auto& p : r.problems) n += p.warning ? 0 : 1;
  return n;
}

// Checks that r's errors are exactly the expected ones: `expected` holds one "LINE: fragment" a line, each
// checked with expect_problem (an error), and no other error was reported.
inline void expect_errors(const load_result& r, std::string_view expected) {
  size_t rows = 0;
  while (!expected.empty()) {
    std::string_view row = expected.substr(0, expected.find('\n'));
    expected.remove_prefix(std::min(expected.size(), row.size() + 1));
    if (row.empty()) continue;
    size_t colon = row.find(": ");
    BOOST_REQUIRE_MESSAGE(colon != std::string_view::npos, "expected row without 'LINE: ': " << row);
    expect_problem(r, std::stoi(std::string(row.substr(0, colon))), row.substr(colon + 2));
    ++rows;
  }
  BOOST_TEST(error_count(r) == rows, dump(r));
}

// The duration bounds (settings_limits_test, settings_validation_test) as one table: each set of values is
// loaded as one config holding every duration key (and retry.multiplier, which has the same kind of bounds),
// one key a line, and must give exactly the listed problems, each at its key's line.
enum class duration_set { bad_text, overflow, over_maximum, at_maximum };

struct duration_case {
  duration_set set;
  std::string_view key;      // a key of duration_layout
  std::string_view value;    // TOML value text
  std::string_view problem;  // expected problem fragment; empty: accepted
};

// Where each key stands in the config duration_config writes (kMinimal's subscription in between).
struct duration_key_line {
  std::string_view key;
  int line;
};
inline constexpr duration_key_line duration_layout[] = {
    {"dead_letter_retention", 2}, {"poll_interval", 3}, {"timeout", 8},
    {"initial_backoff", 10},      {"max_backoff", 11},  {"multiplier", 12},
};

// One case a two-line row (set, key, value; problem), kept so by hand: the table reads as columns.
// clang-format off
inline constexpr duration_case duration_cases[] = {
    {duration_set::bad_text, "dead_letter_retention", "\"7 days\"",
     "notify.dead_letter_retention: unknown unit"},
    {duration_set::bad_text, "poll_interval", "\"0s\"",
     "notify.poll_interval must be greater than 0"},
    {duration_set::bad_text, "timeout", "\"1.5s\"",
     "timeout: fractional duration '1.5s'"},
    {duration_set::bad_text, "initial_backoff", "\"-1s\"",
     "retry.initial_backoff: negative duration"},
    {duration_set::bad_text, "max_backoff", "\"10\"",
     "retry.max_backoff: missing unit"},
    {duration_set::overflow, "dead_letter_retention", "\"999999999999h\"",
     "notify.dead_letter_retention: duration '999999999999h' is too large"},
    {duration_set::overflow, "poll_interval", "\"9223372036854775807ms\"",
     "notify.poll_interval: duration '9223372036854775807ms' is too large"},
    {duration_set::overflow, "timeout", "\"106751991167d\"",
     "subscription 'chatops': timeout: duration '106751991167d' is too large"},
    {duration_set::overflow, "initial_backoff", "\"36501d\"",
     "retry.initial_backoff: duration '36501d' is too large"},
    {duration_set::overflow, "max_backoff", "\"99999999999999999999ms\"",
     "retry.max_backoff: duration '99999999999999999999ms' is too large"},
    {duration_set::over_maximum, "dead_letter_retention", "\"3651d\"",
     "notify.dead_letter_retention must be at most 3650d, got 3651d"},
    {duration_set::over_maximum, "poll_interval", "\"25h\"",
     "notify.poll_interval must be at most 1d, got 25h"},
    {duration_set::over_maximum, "timeout", "\"61m\"",
     "subscription 'chatops': timeout must be at most 1h, got 61m"},
    {duration_set::over_maximum, "initial_backoff", "\"2d\"",
     "retry.initial_backoff must be at most 1d, got 2d"},
    {duration_set::over_maximum, "max_backoff", "\"25h\"",
     "retry.max_backoff must be at most 1d, got 25h"},
    {duration_set::over_maximum, "multiplier", "101.0",
     "retry.multiplier must be at most 100.0"},
    {duration_set::at_maximum, "dead_letter_retention", "\"3650d\"",
     ""},
    {duration_set::at_maximum, "poll_interval", "\"24h\"",
     ""},
    {duration_set::at_maximum, "timeout", "\"1h\"",
     ""},
    {duration_set::at_maximum, "initial_backoff", "\"1d\"",
     ""},
    {duration_set::at_maximum, "max_backoff", "\"86400000ms\"",
     ""},
    {duration_set::at_maximum, "multiplier", "100",
     ""},
};
// clang-format on

// The value `set` gives `key`, if any.
inline const duration_case* duration_value(duration_set set, std::string_view key) {
  for (const auto& c : duration_cases)
    if (c.set == set && c.key == key) return &c;
  return nullptr;
}

// The config of one set: [notify] with its global durations, then kMinimal's subscription with its timeout
// and a retry table, each key on its duration_layout line (a set leaves out only keys that come last:
// multiplier).
inline std::string duration_config(duration_set set) {
  std::string text;
  auto key_line = [&](std::string_view key) {
    if (const duration_case* c = duration_value(set, key))
      text.append(key).append(" = ").append(c->value).append("\n");
  };
  text += "[notify]\n";
  key_line("dead_letter_retention");
  key_line("poll_interval");
  text += kMinimal.substr(9);  // [[notify.subscriptions]] name url secret_env: lines 4-7
  key_line("timeout");
  text += "[notify.subscriptions.retry]\n";
  for (std::string_view key : {"initial_backoff", "max_backoff", "multiplier"}) key_line(key);
  return text;
}

// Loads the config of `set` and checks its problems: each case's at its key's line, and no other error.
inline load_result expect_duration_problems(duration_set set) {
  load_result r = load(duration_config(set));
  size_t expected = 0;
  for (const auto& c : duration_cases) {
    if (c.set != set || c.problem.empty()) continue;
    for (const auto& at : duration_layout)
      if (at.key == c.key) expect_problem(r, at.line, c.problem);
    ++expected;
  }
  BOOST_TEST(error_count(r) == expected, dump(r));
  return r;
}

}  // namespace spec_notify::config::testing
