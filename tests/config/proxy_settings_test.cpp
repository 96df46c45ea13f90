// Outbound proxy configuration (issue 17 item 4): `proxy` per subscription or in [notify], else the
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment as curl reads it; explicit config wins; credentials only
// from the environment and never in a message.
#define BOOST_TEST_MODULE proxy_settings
#include <boost/test/unit_test.hpp>
#include <string>

#include "config/proxy.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;

namespace {

// [notify] (with `notify_lines`) and one subscription "hook" to `url` with `sub_lines`.
load_result load_proxy(const std::string& notify_lines, const std::string& url, const std::string& sub_lines,
                       std::map<std::string, std::string> env = {}) {
  env.emplace("TEST_SECRET", kSecret);
  return load("[notify]\n" + notify_lines + "[[notify.subscriptions]]\nname = \"hook\"\nurl = \"" + url +
                  "\"\nsecret_env = \"TEST_SECRET\"\n" + sub_lines,
              fake_env(env));
}

const proxy_settings& proxy_of(const load_result& r) {
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_REQUIRE(r.value.subscriptions.size() == 1u);
  return r.value.subscriptions[0].proxy;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_subscription_proxy_is_parsed) {
  load_result r = load_proxy("", "https://example.com/x", "proxy = \"http://127.0.0.1:3128\"\n");
  const auto& p = proxy_of(r);
  BOOST_TEST(p.host == "127.0.0.1");
  BOOST_TEST(p.port == 3128);
  BOOST_TEST(p.source == "proxy");
  BOOST_TEST(p.username.empty());
}

BOOST_AUTO_TEST_CASE(the_notify_proxy_applies_to_subscriptions_without_their_own) {
  load_result r = load_proxy("proxy = \"http://proxy.internal:8080/\"\n", "http://example.com/x", "");
  const auto& p = proxy_of(r);
  BOOST_TEST(p.host == "proxy.internal");
  BOOST_TEST(p.port == 8080);
  BOOST_TEST(p.source == "notify.proxy");
  r = load_proxy("proxy = \"http://proxy.internal:8080\"\n", "http://example.com/x", "proxy = \"\"\n");
  BOOST_TEST(!proxy_of(r).enabled());
}

BOOST_AUTO_TEST_CASE(explicit_config_wins_over_the_environment) {
  std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://env-proxy:3128"}};
  load_result r = load_proxy("", "https://example.com/x", "proxy = \"http://cfg-proxy:1\"\n", env);
  BOOST_TEST(proxy_of(r).host == "cfg-proxy");
  r = load_proxy("proxy = \"http://notify-proxy:2\"\n", "https://example.com/x", "", env);
  BOOST_TEST(proxy_of(r).host == "notify-proxy");
  r = load_proxy("", "https://example.com/x", "proxy = \"\"\n", env);
  BOOST_TEST(!proxy_of(r).enabled());
  r = load_proxy("", "https://example.com/x", "", env);
  BOOST_TEST(proxy_of(r).host == "env-proxy");
  BOOST_TEST(proxy_of(r).source == "HTTPS_PROXY");
}

BOOST_AUTO_TEST_CASE(the_environment_is_read_per_scheme_lower_case_first_with_credentials) {
  std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://upper:1"},
                                         {"https_proxy", "http://us%40r:p%3Ass@lower:2"},
                                         {"HTTP_PROXY", "plain-proxy:3"}};
  // Each load_result is kept: proxy_of returns a reference into it.
  const load_result tls_load = load_proxy("", "https://example.com/x", "", env);
  const auto& tls = proxy_of(tls_load);
  BOOST_TEST(tls.host == "lower");
  BOOST_TEST(tls.port == 2);
  BOOST_TEST(tls.username == "us@r");
  BOOST_TEST(tls.password == "p:ss");
  BOOST_TEST(tls.source == "https_proxy");
  const load_result plain_load = load_proxy("", "http://example.com/x", "", env);
  const auto& plain = proxy_of(plain_load);
  BOOST_TEST(plain.host == "plain-proxy");  // curl's scheme-less host:port
  BOOST_TEST(plain.port == 3);
  BOOST_TEST(
      !proxy_of(load_proxy("", "http://example.com/x", "", {{"HTTPS_PROXY", "http://p:1"}})).enabled());
}

BOOST_AUTO_TEST_CASE(no_proxy_exempts_names_suffixes_and_everything) {
  BOOST_TEST(no_proxy_matches("localhost", "localhost"));
  BOOST_TEST(no_proxy_matches("example.com", "hooks.example.com"));
  BOOST_TEST(no_proxy_matches(" .example.com , other", "hooks.example.com"));
  BOOST_TEST(no_proxy_matches("example.com", "EXAMPLE.com"));
  BOOST_TEST(no_proxy_matches("*", "anything"));
  BOOST_TEST(no_proxy_matches("[::1]", "::1"));
  BOOST_TEST(!no_proxy_matches("example.com", "badexample.com"));
  BOOST_TEST(!no_proxy_matches("", "example.com"));
  std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "example.com"}};
  BOOST_TEST(!proxy_of(load_proxy("", "https://hooks.example.com/x", "", env)).enabled());
}

BOOST_AUTO_TEST_CASE(bad_proxies_are_errors_that_never_echo_credentials) {
  load_result r = load_proxy("", "https://example.com/x", "proxy = \"http://user:hunter2@p:1\"\n");
  expect_problem(r, 6, "subscription 'hook': proxy: proxy must not contain user info");
  BOOST_TEST(dump(r).find("hunter2") == std::string::npos);
  r = load_proxy("", "https://example.com/x", "proxy = \"https://p:1\"\n");
  expect_problem(r, 6, "not an http:// proxy URL");
  r = load_proxy("", "https://example.com/x", "proxy = \"p:1\"\n");
  expect_problem(r, 6, "proxy must be an http:// URL");
  r = load_proxy("", "https://example.com/x", "proxy = \"http://p:1/path\"\n");
  expect_problem(r, 6, "no path or query");
  r = load_proxy("proxy = \"http://p:99999\"\n", "https://example.com/x", "");
  expect_problem(r, 2, "notify.proxy: invalid proxy address");
  // An unusable environment proxy: a warning, and the subscription's attempts fail with it (never a silent
  // direct connection).
  r = load_proxy("", "https://example.com/x", "", {{"HTTPS_PROXY", "socks5://user:hunter2@p:1"}});
  BOOST_TEST(r.ok(), dump(r));
  BOOST_REQUIRE(find_problem(r, "environment variable HTTPS_PROXY is not a usable proxy"));
  BOOST_TEST(find_problem(r, "its attempts fail until it is fixed")->warning);
  BOOST_TEST(r.value.subscriptions[0].enabled);
  BOOST_TEST(r.value.subscriptions[0].proxy.error.find(
                 "environment variable HTTPS_PROXY is not a usable proxy") == 0u);
  BOOST_TEST(r.value.subscriptions[0].proxy.error.find("hunter2") == std::string::npos);
  BOOST_TEST(dump(r).find("hunter2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(proxy_is_a_known_key_in_both_tables) {
  auto keys = known_keys();
  BOOST_TEST((std::find(keys.begin(), keys.end(), "notify.proxy") != keys.end()));
  BOOST_TEST((std::find(keys.begin(), keys.end(), "notify.subscriptions.proxy") != keys.end()));
}
