#define BOOST_TEST_MODULE url
#include "config/url.hpp"

#include <boost/test/unit_test.hpp>

using spec_notify::config::host_port;
using spec_notify::config::is_loopback_host;
using spec_notify::config::parse_host_port;
using spec_notify::config::parse_url;
using spec_notify::config::parsed_url;

namespace {

parsed_url accepted(std::string_view text) {
  BOOST_TEST_INFO("url: '" << text << "'");
  auto out = parse_url(text);
  BOOST_TEST(out.ok(), out.message());
  return out.value_or(parsed_url{});
}

std::string rejection(std::string_view text) {
  BOOST_TEST_INFO("url: '" << text << "'");
  auto out = parse_url(text);
  BOOST_TEST(!out);
  BOOST_TEST(!out.message().empty());
  return out.message();
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(http_url_is_split_into_its_parts) {
  parsed_url u = accepted("http://127.0.0.1:8080/hooks/spec?x=1");
  BOOST_TEST(u.scheme == "http");
  BOOST_TEST(u.host == "127.0.0.1");
  BOOST_TEST(u.port == 8080);
  BOOST_TEST(u.path_and_query == "/hooks/spec?x=1");
}

BOOST_AUTO_TEST_CASE(ports_default_to_80_for_http_and_443_for_https) {
  BOOST_TEST(accepted("http://example.com/x").port == 80);
  BOOST_TEST(accepted("https://chatops.example/hooks/spec").port == 443);
}

BOOST_AUTO_TEST_CASE(path_defaults_to_slash_and_a_bare_query_gets_one) {
  BOOST_TEST(accepted("https://example.com").path_and_query == "/");
  BOOST_TEST(accepted("https://example.com:8443").path_and_query == "/");
  BOOST_TEST(accepted("https://example.com?a=b").path_and_query == "/?a=b");
}

BOOST_AUTO_TEST_CASE(scheme_and_host_are_lower_cased_but_path_is_kept) {
  parsed_url u = accepted("HTTPS://Example.COM/Hooks/A%2Fb");
  BOOST_TEST(u.scheme == "https");
  BOOST_TEST(u.host == "example.com");
  BOOST_TEST(u.path_and_query == "/Hooks/A%2Fb");
}

BOOST_AUTO_TEST_CASE(ipv6_literals_in_brackets_are_accepted_without_brackets) {
  parsed_url u = accepted("http://[::1]:8080/x");
  BOOST_TEST(u.host == "::1");
  BOOST_TEST(u.port == 8080);
  BOOST_TEST(u.path_and_query == "/x");
  BOOST_TEST(accepted("https://[2001:db8::1]/").port == 443);
  BOOST_TEST(to_string(u) == "http://[::1]:8080/x");
}

BOOST_AUTO_TEST_CASE(to_string_omits_default_ports) {
  BOOST_TEST(to_string(accepted("https://example.com:443/a?b")) == "https://example.com/a?b");
  BOOST_TEST(to_string(accepted("http://example.com:8080")) == "http://example.com:8080/");
}

BOOST_AUTO_TEST_CASE(schemes_other_than_http_and_https_are_rejected) {
  BOOST_TEST(contains(rejection("ftp://example.com/"), "unsupported URL scheme 'ftp'"));
  BOOST_TEST(contains(rejection("example.com/hooks"), "no scheme"));
  rejection("file:///etc/passwd");
  rejection("");
}

BOOST_AUTO_TEST_CASE(a_missing_host_is_rejected) {
  BOOST_TEST(contains(rejection("http:///path"), "missing host"));
  rejection("http://:8080/");
  rejection("https://");
}

BOOST_AUTO_TEST_CASE(user_info_is_rejected_without_echoing_it) {
  std::string error = rejection("https://user:hunter2@example.com/");
  BOOST_TEST(contains(error, "user info"));
  BOOST_TEST(!contains(error, "hunter2"));
}

BOOST_AUTO_TEST_CASE(spaces_control_characters_and_non_ascii_are_rejected) {
  BOOST_TEST(contains(rejection("http://example.com/a b"), "space"));
  BOOST_TEST(contains(rejection(" http://example.com/"), "space"));
  BOOST_TEST(contains(rejection("http://example.com/a\tb"), "control character"));
  BOOST_TEST(contains(rejection("http://example.com/\n"), "control character"));
  BOOST_TEST(contains(rejection("http://example.com/\xc3\xa9"), "non-ASCII"));
  BOOST_TEST(contains(rejection("http://example.com\\x"), "backslash"));
  BOOST_TEST(contains(rejection("http://example.com/%zz"), "percent"));
}

BOOST_AUTO_TEST_CASE(fragments_are_rejected) {
  BOOST_TEST(contains(rejection("https://example.com/hook#section"), "fragment"));
  rejection("https://example.com#x");
}

BOOST_AUTO_TEST_CASE(bad_ports_are_rejected) {
  rejection("http://example.com:0/");
  rejection("http://example.com:65536/");
  rejection("http://example.com:/");
  rejection("http://example.com:80a/");
  rejection("http://example.com:123456/");
}

BOOST_AUTO_TEST_CASE(malformed_hosts_are_rejected) {
  BOOST_TEST(contains(rejection("http://::1/"), "brackets"));
  rejection("http://[::1/");
  rejection("http://[not-v6]/");
  rejection("http://[::1]x/");
  rejection("http://exa!mple.com/");
}

BOOST_AUTO_TEST_CASE(errors_do_not_echo_the_query_string) {
  std::string error = rejection("https://example.com:99999/hook?token=s3cret");
  BOOST_TEST(!contains(error, "s3cret"));
}

BOOST_AUTO_TEST_CASE(host_port_addresses_need_both_parts) {
  auto hp = parse_host_port("127.0.0.1:7707");
  BOOST_REQUIRE(hp.ok());
  BOOST_TEST(hp->host == "127.0.0.1");
  BOOST_TEST(hp->port == 7707);
  hp = parse_host_port("[::1]:9464");
  BOOST_REQUIRE(hp.ok());
  BOOST_TEST(hp->host == "::1");
  hp = parse_host_port("127.0.0.1");
  BOOST_TEST(!hp);
  BOOST_TEST(contains(hp.message(), "missing port"));
  BOOST_TEST(!parse_host_port(":7707"));
  BOOST_TEST(!parse_host_port("host:0"));
  BOOST_TEST(!parse_host_port(""));
}

BOOST_AUTO_TEST_CASE(loopback_hosts_are_recognised) {
  BOOST_TEST(is_loopback_host("127.0.0.1"));
  BOOST_TEST(is_loopback_host("127.1.2.3"));
  BOOST_TEST(is_loopback_host("localhost"));
  BOOST_TEST(is_loopback_host("::1"));
  BOOST_TEST(is_loopback_host("[::1]"));
  BOOST_TEST(!is_loopback_host("0.0.0.0"));
  BOOST_TEST(!is_loopback_host("10.0.0.1"));
  BOOST_TEST(!is_loopback_host("::"));
  BOOST_TEST(!is_loopback_host("example.com"));
}
