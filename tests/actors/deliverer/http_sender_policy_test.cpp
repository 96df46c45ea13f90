// The endpoint policy at connect time: the sender checks the address DNS produced, so a link-local or
// cloud-metadata target is refused before a single packet leaves, whatever notation or name led there. Only
// literal addresses are used here (these machines have no DNS we control); no traffic leaves the host: the
// refusal happens before connect().
#define BOOST_TEST_MODULE http_sender_policy
#include <boost/test/unit_test.hpp>
#include <chrono>

#include "actors/deliverer/http_sender.hpp"

using namespace spec_notify::deliverer;
using namespace std::chrono_literals;

namespace {

http_response post_to(const std::string& url) {
  http_sender sender;
  http_request req;
  req.url = url;
  req.body = "{}";
  req.timeout = 2000ms;
  return sender.post(req);
}

}  // namespace

BOOST_AUTO_TEST_CASE(metadata_and_link_local_addresses_are_refused_before_connecting) {
  for (const char* url :
       {"http://169.254.169.254/latest/meta-data/", "http://2852039166/", "http://0xA9FEA9FE/",
        "http://[::ffff:169.254.169.254]/", "http://[fe80::1]:8080/", "http://[fd00:ec2::254]/"}) {
    auto t0 = std::chrono::steady_clock::now();
    auto res = post_to(url);
    BOOST_TEST_CONTEXT(url) {
      BOOST_TEST(res.status_code == 0);
      BOOST_TEST(res.error.find("refused target") != std::string::npos, res.error);
      BOOST_TEST(res.error.find("allow_link_local") != std::string::npos, res.error);
      // Refused, not timed out: nothing was attempted.
      BOOST_TEST((std::chrono::steady_clock::now() - t0 < 1500ms));
    }
  }
}

BOOST_AUTO_TEST_CASE(loopback_is_not_refused_by_the_policy) {
  // Port 9 on loopback: nothing listens, so the error is a transport one, not the policy's.
  auto res = post_to("http://127.0.0.1:9/");
  BOOST_TEST(res.error.find("refused target") == std::string::npos, res.error);
}
