// docs/configuration.md is checked against the code's own list of keys (spec_notify::config::known_keys(),
// generated from config/keys.hpp): every accepted key must be documented as a table row, and every documented
// `notify.*` row must be a key the loader accepts (no stale docs).
#define BOOST_TEST_MODULE config_docs
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "config/settings.hpp"

namespace {

std::string read_docs() {
  const std::string path = std::string(SPEC_NOTIFY_TEST_DIR) + "/../docs/configuration.md";
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Keys documented as table rows: lines starting with "| `notify.".
std::set<std::string> documented_rows(const std::string& text) {
  std::set<std::string> keys;
  std::istringstream lines(text);
  const std::string prefix = "| `notify.";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    auto end = line.find('`', 3);
    if (end != std::string::npos) keys.insert(line.substr(3, end - 3));
  }
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_known_key_is_documented) {
  const auto rows = documented_rows(read_docs());
  const auto keys = spec_notify::config::known_keys();
  BOOST_REQUIRE_GE(keys.size(), 20u);  // the list is really there
  for (const auto& key : keys)
    BOOST_CHECK_MESSAGE(rows.count(key) == 1, "docs/configuration.md has no table row for `"
                                                  << key << "` (add `| `" << key
                                                  << "` | type | default | meaning |`)");
}

BOOST_AUTO_TEST_CASE(every_documented_key_exists) {
  const auto keys = spec_notify::config::known_keys();
  const std::set<std::string> known(keys.begin(), keys.end());
  const auto rows = documented_rows(read_docs());
  BOOST_REQUIRE(!rows.empty());
  for (const auto& row : rows)
    BOOST_CHECK_MESSAGE(known.count(row) == 1,
                        "docs/configuration.md documents `" << row << "`, which the loader does not accept");
}

BOOST_AUTO_TEST_CASE(the_example_config_uses_documented_keys_only) {
  // The example in the docs must itself be valid for the loader (apart from the secret it names).
  const std::string text = read_docs();
  const std::string fence = "```toml\n";
  auto start = text.find(fence);
  BOOST_REQUIRE_MESSAGE(start != std::string::npos, "docs/configuration.md has no ```toml example");
  start += fence.size();
  auto end = text.find("```", start);
  BOOST_REQUIRE(end != std::string::npos);
  const std::string example = text.substr(start, end - start);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SPEC_NOTIFY_CHATOPS_SECRET") return std::string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    return std::nullopt;
  };
  auto result = spec_notify::config::load_settings_text(example, "configuration.md", "/", env);
  for (const auto& p : result.problems)
    BOOST_CHECK_MESSAGE(p.warning, "example in docs/configuration.md: " << p.to_string());
  BOOST_CHECK(result.ok());
  BOOST_REQUIRE_EQUAL(result.value.subscriptions.size(), 1u);
  BOOST_CHECK_EQUAL(result.value.subscriptions[0].retry.max_attempts, 8);
}
