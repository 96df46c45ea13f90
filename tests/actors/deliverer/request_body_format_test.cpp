// The request of a chat format or template (issue 17 items 1, 2): the subscription's content_type, no HMAC
// headers unless the signature key is set, and no x-spec-notify-schema (the body is not payload v1); the
// standard format keeps every header it had.
#define BOOST_TEST_MODULE request_body_format
#include <boost/test/unit_test.hpp>

#include "actors/deliverer/request.hpp"

using namespace spec_notify;

namespace {

const std::string kSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

size_t count(const deliverer::http_request& r, const std::string& name) {
  size_t n = 0;
  for (const auto& [k, v] : r.headers) n += k == name;
  return n;
}

std::string value(const deliverer::http_request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

deliverer::http_request request_for(const config::subscription_settings& sub) {
  delivery d;
  d.id = "msg_1";
  d.event_type = "spec-kit.task.transitioned";
  d.body = "{\"text\":\"hi\"}";
  return deliverer::build_request(sub, d, 2, 1700000000);
}

config::subscription_settings sub_with(config::body_format f, bool signature_key) {
  config::subscription_settings s;
  s.name = "s";
  s.url = "http://127.0.0.1:9/hook";
  s.format = f;
  s.signature_configured = signature_key;
  s.signature = signature_key ? config::signature_mode::both : config::signature_mode::standard;
  if (signature_key) s.secrets = {kSecret};
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(standard_format_is_signed_json_payload_v1) {
  auto s = sub_with(config::body_format::standard, false);
  s.secrets = {kSecret};
  const auto r = request_for(s);
  BOOST_TEST(value(r, "content-type") == "application/json");
  BOOST_TEST(count(r, "webhook-signature") == 1u);
  BOOST_TEST(value(r, "x-spec-notify-schema") == "1");
}

BOOST_AUTO_TEST_CASE(chat_format_is_unsigned_and_claims_no_schema) {
  const auto r = request_for(sub_with(config::body_format::slack, false));
  BOOST_TEST(value(r, "content-type") == "application/json");
  BOOST_TEST(count(r, "webhook-signature") == 0u);
  BOOST_TEST(count(r, "x-hub-signature-256") == 0u);
  BOOST_TEST(count(r, "x-spec-notify-schema") == 0u);
  BOOST_TEST(value(r, "webhook-id") == "msg_1");  // still the idempotency key
  BOOST_TEST(value(r, "x-spec-notify-attempt") == "2");
}

BOOST_AUTO_TEST_CASE(a_signature_key_signs_a_chat_format) {
  const auto r = request_for(sub_with(config::body_format::discord, true));
  BOOST_TEST(count(r, "webhook-signature") == 1u);
  BOOST_TEST(count(r, "x-hub-signature-256") == 1u);
}

BOOST_AUTO_TEST_CASE(a_template_sends_its_content_type) {
  auto s = sub_with(config::body_format::standard, false);
  s.template_file = "/cfg/t.mustache";
  s.template_text = "{{task.id}}";
  s.content_type = "text/plain; charset=utf-8";
  const auto r = request_for(s);
  BOOST_TEST(value(r, "content-type") == "text/plain; charset=utf-8");
  BOOST_TEST(count(r, "content-type") == 1u);
  BOOST_TEST(count(r, "webhook-signature") == 0u);
  BOOST_TEST(count(r, "x-spec-notify-schema") == 0u);
}
