#pragma once
// Shared helpers for the settings tests: an in-memory environment, a loader bound to it, and lookups of
// problems by message fragment. Header-only; included by tests/config/settings*_test.cpp.
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

}  // namespace spec_notify::config::testing
