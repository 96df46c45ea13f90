// Issue 11: link-local and cloud-metadata targets are refused in every notation the resolver accepts, unless
// the subscription sets allow_link_local = true; loopback and private ranges stay allowed. Covers
// forbidden_target_reason (config time), forbidden_address_reason (the deliverer's resolve-time check) and
// the loader's error at the url's file:line:col.
#define BOOST_TEST_MODULE endpoint_policy
#include <arpa/inet.h>
#include <netinet/in.h>

#include <boost/test/unit_test.hpp>
#include <cstring>

#include "config/settings.hpp"
#include "config/url.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;

namespace {

// The host a URL names, as parse_url stores it: what the loader classifies.
std::string host_of(const std::string& url) {
  BOOST_TEST_INFO("url: " << url);
  auto out = parse_url(url);
  BOOST_REQUIRE_MESSAGE(out, out.message());
  return out->host;
}

bool refused(const std::string& url) {
  return !forbidden_target_reason(host_of(url)).empty();
}

sockaddr_in v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  BOOST_REQUIRE(inet_pton(AF_INET, text, &a.sin_addr) == 1);
  return a;
}

sockaddr_in6 v6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  BOOST_REQUIRE(inet_pton(AF_INET6, text, &a.sin6_addr) == 1);
  return a;
}

std::string reason(const sockaddr_in& a) {
  return forbidden_address_reason(reinterpret_cast<const sockaddr*>(&a));
}
std::string reason(const sockaddr_in6& a) {
  return forbidden_address_reason(reinterpret_cast<const sockaddr*>(&a));
}

const std::string kSub =
    "[notify]\n[[notify.subscriptions]]\nname = \"meta\"\nsecret_env = \"TEST_SECRET\"\n";

}  // namespace

BOOST_AUTO_TEST_CASE(the_link_local_range_is_refused_in_dotted_decimal) {
  for (const char* url :
       {"http://169.254.169.254/latest/meta-data/", "http://169.254.0.0/", "http://169.254.255.255/",
        "https://169.254.1.2:8443/x", "http://169.254.169.254./"}) {
    BOOST_TEST(refused(url), url);
  }
  BOOST_TEST(forbidden_target_reason("169.254.169.254").find("link-local address (169.254.0.0/16") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_metadata_address_is_refused_in_every_ipv4_notation_inet_aton_accepts) {
  for (const char* url : {
           "http://2852039166/",           // one 32-bit decimal number
           "http://0xA9FEA9FE/",           // one hex number (parse_url lower-cases the host)
           "http://0xa9fea9fe/",           //
           "http://0x00a9fea9fe/",         // leading zeros in hex
           "http://0xa9.0xfe.0xa9.0xfe/",  // hex per octet
           "http://0251.0376.0251.0376/",  // octal per octet
           "http://00251.0376.0251.0376/",
           "http://169.254.43518/",      // a.b.c with a 16-bit last part
           "http://169.16689662/",       // a.b with a 24-bit last part
           "http://0xa9.254.0251.254/",  // mixed
           "http://2852039166./",        // trailing dot
           "http://0xa9fea9fe../",       // more trailing dots
       }) {
    BOOST_TEST(refused(url), url);
  }
  BOOST_TEST(forbidden_target_reason("0xa9fea9fe").find("'0xa9fea9fe' (169.254.169.254)") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(ipv6_link_local_and_the_aws_metadata_address_are_refused_in_every_spelling) {
  for (const char* url :
       {"http://[fe80::1]/", "http://[FE80::1]:8080/", "http://[fe80:0000:0000:0000:0000:0000:0000:0001]/",
        "http://[febf:ffff::1]/", "http://[fe80::]/", "http://[fd00:ec2::254]/",
        "http://[fd00:0ec2:0000:0000:0000:0000:0000:0254]/", "http://[FD00:EC2::254]/",
        "http://[fd00:ec2:0:0:0:0:0:254]/"}) {
    BOOST_TEST(refused(url), url);
  }
  BOOST_TEST(forbidden_target_reason("fd00:ec2::254").find("AWS instance metadata") != std::string::npos);
  BOOST_TEST(forbidden_target_reason("[fe80::1]").find("fe80::/10") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ipv4_link_local_embedded_in_ipv6_is_refused) {
  for (const char* url : {
           "http://[::ffff:169.254.169.254]/",                         // IPv4-mapped, dotted
           "http://[::ffff:a9fe:a9fe]/",                               // IPv4-mapped, hex
           "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",                       // expanded
           "http://[0000:0000:0000:0000:0000:ffff:169.254.169.254]/",  // fully expanded
           "http://[::169.254.169.254]/",                              // IPv4-compatible
           "http://[::a9fe:a9fe]/",                                    //
           "http://[::ffff:0:169.254.169.254]/",                       // SIIT IPv4-translated
           "http://[64:ff9b::169.254.169.254]/",                       // NAT64 well-known prefix
       }) {
    BOOST_TEST(refused(url), url);
  }
}

BOOST_AUTO_TEST_CASE(the_google_metadata_name_is_refused_with_or_without_trailing_dot) {
  for (const char* url :
       {"http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.Google.Internal/",
        "http://metadata.google.internal./", "http://metadata.google.internal:80/"}) {
    BOOST_TEST(refused(url), url);
  }
  BOOST_TEST(forbidden_target_reason("metadata.google.internal").find("cloud metadata service") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(loopback_private_and_public_targets_stay_allowed) {
  for (const char* url : {
           "http://127.0.0.1:8080/",
           "http://127.1/",
           "http://2130706433/",
           "http://localhost/",
           "http://10.0.0.1/",
           "http://172.16.0.1/",
           "http://172.31.255.255/",
           "http://192.168.1.1/",
           "http://[::1]/",
           "http://[fc00::1]/",
           "http://[fd00::1]/",
           "http://[fd00:ec2::253]/",
           "http://[fd00:ec2::1:254]/",
           "http://[::ffff:127.0.0.1]/",
           "http://[::ffff:10.0.0.1]/",
           "http://[::]/",
           "http://[fec0::1]/",
           "http://[2001:db8::1]/",
           "http://169.253.255.255/",
           "http://169.255.0.0/",
           "http://chatops.example/",
           "http://metadata.google.internal.example/",
           "http://google.internal/",
           "http://8.8.8.8/",
           "https://hooks.example.com/a?b=169.254.169.254",
       }) {
    BOOST_TEST(!refused(url), url << ": " << forbidden_target_reason(host_of(url)));
  }
}

BOOST_AUTO_TEST_CASE(resolved_addresses_are_classified_for_the_deliverer) {
  BOOST_TEST(!reason(v4("169.254.169.254")).empty());
  BOOST_TEST(reason(v4("169.254.169.254")).find("'169.254.169.254' is a link-local") == 0u);
  BOOST_TEST(!reason(v4("169.254.0.1")).empty());
  BOOST_TEST(!reason(v6("fe80::1")).empty());
  BOOST_TEST(!reason(v6("fd00:ec2::254")).empty());
  BOOST_TEST(!reason(v6("::ffff:169.254.169.254")).empty());
  BOOST_TEST(!reason(v6("64:ff9b::a9fe:a9fe")).empty());
  BOOST_TEST(reason(v4("127.0.0.1")).empty());
  BOOST_TEST(reason(v4("10.1.2.3")).empty());
  BOOST_TEST(reason(v4("192.168.0.10")).empty());
  BOOST_TEST(reason(v4("93.184.216.34")).empty());
  BOOST_TEST(reason(v6("::1")).empty());
  BOOST_TEST(reason(v6("fd12:3456::1")).empty());
  BOOST_TEST(forbidden_address_reason(nullptr).empty());
  sockaddr unix_addr{};
  unix_addr.sa_family = AF_UNIX;
  BOOST_TEST(forbidden_address_reason(&unix_addr).empty());
}

BOOST_AUTO_TEST_CASE(the_loader_refuses_a_link_local_url_naming_subscription_key_and_position) {
  load_result r = load(kSub + "url = \"http://0xa9fea9fe/latest/\"\n");
  BOOST_TEST(!r.ok());
  expect_problem(r, 5,
                 "subscription 'meta': url target refused: '0xa9fea9fe' (169.254.169.254) is a link-local");
  BOOST_TEST(find_problem(r, "url target refused")->col == 7);
  BOOST_TEST(find_problem(r, "allow_link_local = true"));
  BOOST_TEST(error_count(r) == 1u, dump(r));
}

BOOST_AUTO_TEST_CASE(the_loader_refuses_metadata_targets_even_in_a_disabled_subscription) {
  load_result r = load(kSub + "enabled = false\nurl = \"http://[::ffff:a9fe:a9fe]/\"\n");
  expect_problem(r, 6, "subscription 'meta': url target refused");
  r = load(kSub + "url = \"http://metadata.google.internal./computeMetadata/v1/\"\n");
  expect_problem(r, 5, "cloud metadata service");
}

BOOST_AUTO_TEST_CASE(allow_link_local_lets_a_subscription_target_them) {
  load_result r = load(kSub + "url = \"http://169.254.169.254/\"\nallow_link_local = true\n");
  BOOST_TEST(r.ok(), dump(r));
  BOOST_REQUIRE(r.value.subscriptions.size() == 1u);
  BOOST_TEST(r.value.subscriptions[0].allow_link_local);
  BOOST_TEST(r.value.subscriptions[0].enabled);
  r = load(kSub + "url = \"http://[fe80::1]/\"\nallow_link_local = false\n");
  expect_problem(r, 5, "url target refused");
  r = load(kSub + "url = \"http://127.0.0.1/\"\n");
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(!r.value.subscriptions[0].allow_link_local);
  r = load(kSub + "url = \"http://127.0.0.1/\"\nallow_link_local = \"yes\"\n");
  expect_problem(r, 6, "allow_link_local must be a boolean");
}
