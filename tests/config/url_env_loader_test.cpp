// URLs that are secrets (issue 17 item 3): `url_env = "VAR"` reads a subscription's url from the environment,
// with errors at the key's file:line:col that name the variable but never hold any part of its value; and
// redacted_url, the one form in which any URL is shown (scheme://host[:port]/***).
#define BOOST_TEST_MODULE url_env_loader
#include <boost/test/unit_test.hpp>
#include <string>

#include "config/url.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;

namespace {

// The path segment every test URL carries: it must never appear in a problem.
const std::string kSecretPath = "/services/T000/B000/XXXXSECRETPATH";

// A [notify] block with one subscription "hook" whose url comes from `url_lines` (lines 3..).
std::string with_url(const std::string& url_lines) {
  return "[notify]\n[[notify.subscriptions]]\n" + url_lines +
         "name = \"hook\"\nsecret_env = \"TEST_SECRET\"\n";
}

load_result load_with_url(const std::string& url_lines, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> vars{{"TEST_SECRET", kSecret}};
  vars.insert(extra.begin(), extra.end());
  return load(with_url(url_lines), fake_env(vars));
}

// No problem of `r` holds `text`.
void expect_not_echoed(const load_result& r, const std::string& text) {
  BOOST_TEST_INFO("problems:\n" << dump(r));
  BOOST_TEST(dump(r).find(text) == std::string::npos, "'" << text << "' is echoed");
}

std::string redact(std::string_view text) {
  BOOST_TEST_INFO("url: " << text);
  auto u = parse_url(text);
  BOOST_REQUIRE_MESSAGE(u, u.message());
  return redacted_url(*u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(url_env_reads_the_url_from_the_named_variable) {
  const std::string url = "https://hooks.slack.com" + kSecretPath;
  load_result r = load_with_url("url_env = \"HOOK_URL\"\n", {{"HOOK_URL", url}});
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.problems.empty(), dump(r));
  BOOST_REQUIRE(r.value.subscriptions.size() == 1u);
  const auto& sub = r.value.subscriptions[0];
  BOOST_TEST(sub.url_env == "HOOK_URL");
  BOOST_TEST(sub.url == url);  // what the HTTP client sends to
  BOOST_TEST(sub.target.host == "hooks.slack.com");
  BOOST_TEST(sub.target.path_and_query == kSecretPath);
  BOOST_TEST(sub.enabled);
  BOOST_TEST(redacted_url(sub.target) == "https://hooks.slack.com/***");
}

BOOST_AUTO_TEST_CASE(url_env_and_url_together_are_an_error_at_url_env) {
  load_result r = load_with_url("url = \"http://127.0.0.1/x\"\nurl_env = \"HOOK_URL\"\n",
                                {{"HOOK_URL", "http://127.0.0.1" + kSecretPath}});
  BOOST_TEST(!r.ok());
  expect_problem(r, 4, "subscription 'hook': url and url_env are both set; set exactly one");
  BOOST_TEST(find_problem(r, "url and url_env")->col == 11);
  BOOST_TEST(error_count(r) == 1u, dump(r));
  expect_not_echoed(r, kSecretPath);
}

BOOST_AUTO_TEST_CASE(neither_url_nor_url_env_is_an_error_naming_both) {
  load_result r = load_with_url("", {});
  BOOST_TEST(!r.ok());
  expect_problem(r, 2, "subscription 'hook': missing required key 'url' (or 'url_env'");
  BOOST_TEST(error_count(r) == 1u, dump(r));
}

BOOST_AUTO_TEST_CASE(an_unset_or_empty_variable_is_an_error_naming_it) {
  load_result r = load_with_url("url_env = \"HOOK_URL\"\n", {});
  BOOST_TEST(!r.ok());
  expect_problem(r, 3, "subscription 'hook': environment variable HOOK_URL (url_env) is not set");
  BOOST_TEST(find_problem(r, "is not set")->col == 11);
  r = load_with_url("url_env = \"HOOK_URL\"\n", {{"HOOK_URL", ""}});
  BOOST_TEST(!r.ok());
  expect_problem(r, 3, "subscription 'hook': environment variable HOOK_URL (url_env) is empty");
  BOOST_TEST(error_count(r) == 1u, dump(r));
}

BOOST_AUTO_TEST_CASE(an_unset_variable_is_an_error_also_when_the_subscription_is_disabled) {
  load_result r = load_with_url("enabled = false\nurl_env = \"HOOK_URL\"\n", {});
  expect_problem(r, 4, "HOOK_URL (url_env) is not set");
}

BOOST_AUTO_TEST_CASE(a_name_that_is_not_a_variable_name_is_an_error_without_echo) {
  load_result r = load_with_url("url_env = \"https://hooks.slack.com" + kSecretPath + "\"\n", {});
  expect_problem(r, 3, "url_env holds what looks like a URL; it must be the NAME of an environment variable");
  expect_not_echoed(r, "XXXXSECRETPATH");
  expect_not_echoed(r, "hooks.slack.com");
  r = load_with_url("url_env = \"1HOOK\"\n", {});
  expect_problem(r, 3, "url_env must be an environment variable name");
  r = load_with_url("url_env = 7\n", {});
  BOOST_TEST(!r.ok(), dump(r));
}

// Whatever is wrong with the value, the error says what, and holds no part of the value (not even the scheme,
// host or port, which a mangled value may not really be).
BOOST_AUTO_TEST_CASE(an_invalid_url_in_the_variable_is_an_error_that_never_echoes_the_value) {
  struct bad {
    std::string value, says, hidden;
  };
  for (const bad& b : {
           bad{"XXXXSECRETPATH", "URL has no scheme", "XXXXSECRETPATH"},
           bad{"hooks.slack.com" + kSecretPath, "URL has no scheme", "XXXXSECRETPATH"},
           bad{"xoxbSECRET://hooks.slack.com" + kSecretPath, "not an http(s) URL", "xoxbSECRET"},
           bad{"ftp://hooks.slack.com" + kSecretPath, "not an http(s) URL", "ftp"},
           bad{"https://hooks.slack.com:SECRETPORT" + kSecretPath, "invalid port (expected 1..65535)",
               "SECRETPORT"},
           bad{"https://SECRET!HOST" + kSecretPath, "invalid host", "SECRET!HOST"},
           bad{"https://[SECRETV6]" + kSecretPath, "invalid IPv6 address", "SECRETV6"},
           bad{"https://[::1" + kSecretPath, "unterminated IPv6 literal", "::1"},
           bad{"https://[::1]SECRETTAIL" + kSecretPath, "unexpected text after IPv6 literal", "SECRETTAIL"},
           bad{"https://user:SECRETPASS@hooks.slack.com" + kSecretPath, "user info", "SECRETPASS"},
           bad{"https://hooks.slack.com" + kSecretPath + "#SECRETFRAG", "fragment", "SECRETFRAG"},
           bad{"https://hooks.slack.com" + kSecretPath + " ", "space at position", "XXXXSECRETPATH"},
       }) {
    BOOST_TEST_CONTEXT("value: " << b.value) {
      load_result r = load_with_url("url_env = \"HOOK_URL\"\n", {{"HOOK_URL", b.value}});
      BOOST_TEST(!r.ok());
      expect_problem(r, 3,
                     "subscription 'hook': environment variable HOOK_URL (url_env) is not a valid URL: ");
      expect_problem(r, 3, b.says);
      BOOST_TEST(error_count(r) == 1u, dump(r));
      expect_not_echoed(r, b.hidden);
      expect_not_echoed(r, "XXXXSECRETPATH");
      BOOST_TEST(r.value.subscriptions[0].url.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_url_from_the_environment_obeys_the_endpoint_policy) {
  load_result r =
      load_with_url("url_env = \"HOOK_URL\"\n", {{"HOOK_URL", "http://169.254.169.254" + kSecretPath}});
  BOOST_TEST(!r.ok());
  expect_problem(r, 3, "subscription 'hook': url from HOOK_URL (url_env) target refused: '169.254.169.254'");
  expect_not_echoed(r, kSecretPath);
  r = load_with_url("url_env = \"HOOK_URL\"\nallow_link_local = true\n",
                    {{"HOOK_URL", "http://169.254.169.254" + kSecretPath}});
  BOOST_TEST(r.ok(), dump(r));
  r = load_with_url("url_env = \"HOOK_URL\"\n", {{"HOOK_URL", "http://[::1]:8080" + kSecretPath}});
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.subscriptions[0].target.host == "::1");
}

BOOST_AUTO_TEST_CASE(url_env_is_a_known_key) {
  auto keys = known_keys();
  BOOST_TEST((std::find(keys.begin(), keys.end(), "notify.subscriptions.url_env") != keys.end()));
}

BOOST_AUTO_TEST_CASE(redaction_keeps_scheme_host_and_port_and_hides_path_and_query) {
  BOOST_TEST(redact("https://hooks.slack.com/services/T000/B000/XXXX") == "https://hooks.slack.com/***");
  BOOST_TEST(redact("https://example.com/x") == "https://example.com/***");
  BOOST_TEST(redact("https://example.com/?token=s3cret") == "https://example.com/***");
  BOOST_TEST(redact("https://example.com?token=s3cret") == "https://example.com/***");
  BOOST_TEST(redact("http://127.0.0.1:8080/hooks/spec?x=1") == "http://127.0.0.1:8080/***");
  BOOST_TEST(redact("HTTPS://Example.COM:443/A") == "https://example.com/***");
}

BOOST_AUTO_TEST_CASE(redaction_shows_a_bare_origin_with_its_slash) {
  BOOST_TEST(redact("https://example.com") == "https://example.com/");
  BOOST_TEST(redact("https://example.com/") == "https://example.com/");
  BOOST_TEST(redact("http://example.com:8080") == "http://example.com:8080/");
}

BOOST_AUTO_TEST_CASE(redaction_brackets_ipv6_hosts_and_keeps_their_port) {
  BOOST_TEST(redact("http://[::1]:8080/x/y") == "http://[::1]:8080/***");
  BOOST_TEST(redact("https://[2001:DB8::1]/hook?a=b") == "https://[2001:db8::1]/***");
  BOOST_TEST(redact("https://[2001:db8::1]") == "https://[2001:db8::1]/");
}

BOOST_AUTO_TEST_CASE(redaction_of_text_that_does_not_parse_hides_userinfo_and_garbage) {
  BOOST_TEST(redacted_url_text("https://user:hunter2@example.com/x") == "https://***@example.com/***");
  BOOST_TEST(redacted_url_text("https://example.com/x#frag") == "https://example.com/***");
  BOOST_TEST(redacted_url_text("https://example.com#frag") == "https://example.com/***");
  BOOST_TEST(redacted_url_text("ftp://example.com:21/pub") == "ftp://example.com:21/***");
  BOOST_TEST(redacted_url_text("https://[::1]:8443") == "https://[::1]:8443/");
  BOOST_TEST(redacted_url_text("http://exa mple.com/x") == "http://***/***");
  BOOST_TEST(redacted_url_text("hooks.slack.com/services/T000") == "***");
  BOOST_TEST(redacted_url_text("") == "***");
  BOOST_TEST(redacted_url_text("https://hooks.slack.com/services/T000/B000/XXXX") ==
             "https://hooks.slack.com/***");
}
