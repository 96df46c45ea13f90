// Which secret keys x-hub-signature-256 (docs/security.md "Signing secrets"): one header, one key -- the
// dedicated github_secret when configured, else the oldest whsec_ secret, so that a receiver still holding
// only the old secret keeps verifying while a rotation is under way.
#define BOOST_TEST_MODULE request_github_key
#include <boost/test/unit_test.hpp>
#include <optional>

#include "actors/deliverer/request.hpp"
#include "actors/deliverer/signature.hpp"

using namespace spec_notify;
using config::signature_mode;

namespace {

const std::string kNew = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const std::string kOld = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kBody = R"({"schema_version":1})";

std::vector<std::string> headers(const deliverer::http_request& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers)
    if (k == name) out.push_back(v);
  return out;
}

deliverer::http_request request_for(signature_mode mode, std::vector<std::string> secrets,
                                    std::string github_secret = "") {
  config::subscription_settings sub;
  sub.name = "s";
  sub.url = "http://127.0.0.1:9/hook";
  sub.secrets = std::move(secrets);
  sub.github_secret = std::move(github_secret);
  sub.signature = mode;
  delivery d;
  d.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  d.event_type = "spec-kit.task.transitioned";
  d.body = kBody;
  return deliverer::build_request(sub, d, 1, 1700000000);
}

}  // namespace

BOOST_AUTO_TEST_CASE(during_rotation_the_github_header_is_keyed_by_the_oldest_secret_only) {
  for (auto mode : {signature_mode::github, signature_mode::both}) {
    const auto r = request_for(mode, {kNew, kOld});
    const auto hub = headers(r, "x-hub-signature-256");
    BOOST_REQUIRE(hub.size() == 1u);
    BOOST_TEST(deliverer::verify_github({kOld}, hub.front(), kBody));
    BOOST_TEST(!deliverer::verify_github({kNew}, hub.front(), kBody));
    // The Standard Webhooks header still carries both.
    const auto std_sig = headers(r, "webhook-signature");
    BOOST_REQUIRE(std_sig.size() == 1u);
    for (const auto& s : {kNew, kOld})
      BOOST_TEST(
          (deliverer::verify_standard({s}, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "1700000000", std_sig.front(),
                                      kBody, 1700000000) == deliverer::verify_result::ok));
  }
}

BOOST_AUTO_TEST_CASE(a_dedicated_github_secret_keys_the_header_byte_for_byte) {
  const std::string gh = "It's a Secret to Everybody";
  const auto hub = headers(request_for(signature_mode::both, {kNew, kOld}, gh), "x-hub-signature-256");
  BOOST_REQUIRE(hub.size() == 1u);
  BOOST_TEST(hub.front() == deliverer::github_signature(gh, kBody));
  BOOST_TEST(headers(request_for(signature_mode::standard, {kNew}, gh), "x-hub-signature-256").empty());
}
