#define BOOST_TEST_MODULE request
#include "actors/deliverer/request.hpp"

#include <boost/test/unit_test.hpp>
#include <optional>

#include "actors/deliverer/signature.hpp"

using namespace spec_notify;
using config::signature_mode;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::optional<std::string> header(const deliverer::http_request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

deliverer::http_request request_for(signature_mode mode) {
  config::subscription_settings sub;
  sub.name = "s";
  sub.url = "http://127.0.0.1:9/hook";
  sub.secrets = {kSecret};
  sub.signature = mode;
  delivery d;
  d.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  d.event_type = "spec-kit.task.transitioned";
  d.body = R"({"schema_version":1})";
  return deliverer::build_request(sub, d, 3, 1700000000);
}

}  // namespace

// Contract: the Standard Webhooks headers are on every delivery; "github" and "both" add x-hub-signature-256.
BOOST_AUTO_TEST_CASE(every_mode_carries_the_standard_signature) {
  for (auto mode : {signature_mode::standard, signature_mode::github, signature_mode::both}) {
    BOOST_TEST_CONTEXT("mode " << config::to_string(mode)) {
      const auto r = request_for(mode);
      BOOST_TEST(header(r, "webhook-id").value_or("") == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
      BOOST_TEST(header(r, "webhook-timestamp").value_or("") == "1700000000");
      BOOST_TEST(header(r, "webhook-signature").value_or("") ==
                 deliverer::standard_signature_header({kSecret}, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                                                      1700000000, R"({"schema_version":1})"));
      BOOST_TEST(header(r, "x-spec-notify-attempt").value_or("") == "3");
      BOOST_TEST(header(r, "x-spec-notify-event").value_or("") == "spec-kit.task.transitioned");
    }
  }
}

BOOST_AUTO_TEST_CASE(github_header_only_when_asked_for) {
  BOOST_TEST(!header(request_for(signature_mode::standard), "x-hub-signature-256"));
  const std::string want = deliverer::github_signature(kSecret, R"({"schema_version":1})");
  BOOST_TEST(want.rfind("sha256=", 0) == 0);
  BOOST_TEST(header(request_for(signature_mode::github), "x-hub-signature-256").value_or("") == want);
  BOOST_TEST(header(request_for(signature_mode::both), "x-hub-signature-256").value_or("") == want);
}
