// `spec-notify receive`'s verifier (verify_standard / verify_github) against published vectors: GitHub's
// documented example, and the verifier cases the official Standard Webhooks libraries (JavaScript, Python)
// test themselves with -- plus the secret spellings those libraries accept or refuse.
#define BOOST_TEST_MODULE signature_vectors
#include <boost/test/unit_test.hpp>
#include <ostream>

#include "actors/deliverer/signature.hpp"

using namespace spec_notify::deliverer;

namespace spec_notify::deliverer {
std::ostream& operator<<(std::ostream& os, verify_result r) {
  return os << to_string(r);
}
}  // namespace spec_notify::deliverer

namespace {

// The libraries' fixture: secret without prefix, id, body; the tests sign at "now".
const std::string kSecret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string kBody = R"({"test": 2432232314})";
const int64_t kNow = 1614265330;
const std::string kSig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";  // at kNow
const std::string kForeign = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

verify_result verify(const std::string& secret, const std::string& id, int64_t ts, const std::string& header,
                     const std::string& body, int64_t now = kNow) {
  return verify_standard({secret}, id, std::to_string(ts), header, body, now);
}

std::string sign_at(int64_t ts) {
  std::string key;
  BOOST_REQUIRE(decode_standard_secret(kSecret, key));
  return standard_signature(key, kId, ts, kBody);
}

}  // namespace

BOOST_AUTO_TEST_CASE(github_documented_vector_with_a_secret_containing_spaces) {
  const std::string secret = "It's a Secret to Everybody";
  const std::string want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  BOOST_TEST(github_signature(secret, "Hello, World!") == want);
  BOOST_TEST(verify_github({secret}, want, "Hello, World!"));
  BOOST_TEST(!verify_github({"It's", "a", "Secret", "to", "Everybody"}, want, "Hello, World!"));
  BOOST_TEST(!verify_github({secret}, want, "Hello, World?"));
}

BOOST_AUTO_TEST_CASE(github_header_is_checked_against_every_secret_and_never_with_an_empty_one) {
  const std::string sig = github_signature("old secret", "body");
  BOOST_TEST(verify_github({"new secret", "old secret"}, sig, "body"));
  BOOST_TEST(verify_github({"old secret", "new secret"}, sig, "body"));
  BOOST_TEST(!verify_github({"new secret"}, sig, "body"));
  // @octokit/webhooks-methods refuses an empty secret or payload; so do we.
  BOOST_TEST(!verify_github({""}, github_signature("", "body"), "body"));
  BOOST_TEST(!verify_github({"old secret"}, github_signature("old secret", ""), ""));
}

BOOST_AUTO_TEST_CASE(valid_signature_verifies_with_and_without_the_whsec_prefix) {
  BOOST_TEST(verify(kSecret, kId, kNow, kSig, kBody) == verify_result::ok);
  BOOST_TEST(verify("whsec_" + kSecret, kId, kNow, kSig, kBody) == verify_result::ok);
}

BOOST_AUTO_TEST_CASE(tampered_body_id_or_timestamp_is_rejected) {
  BOOST_TEST(verify(kSecret, kId, kNow, kSig, R"({"test": 2432232315})") == verify_result::no_match);
  BOOST_TEST(verify(kSecret, "msg_p5jXN8AQM9LWM0D4loKWxJel", kNow, kSig, kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow + 1, kSig, kBody) == verify_result::no_match);
  // The libraries' "invalid signature" cases.
  BOOST_TEST(verify(kSecret, kId, kNow, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", kBody) ==
             verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, "v1,dawfeoifkpqwoekfpqoekf", kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, kSig.substr(0, 8), kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, "v1,", kBody) == verify_result::no_match);
}

BOOST_AUTO_TEST_CASE(several_signatures_with_one_valid_verify) {
  const std::string header = kForeign + " v2," + kSig.substr(3) + " " + kSig + " " + kForeign;
  BOOST_TEST(verify(kSecret, kId, kNow, header, kBody) == verify_result::ok);
  BOOST_TEST(verify(kSecret, kId, kNow, kForeign + " " + kForeign, kBody) == verify_result::no_match);
}

BOOST_AUTO_TEST_CASE(only_v1_entries_count_v1a_and_v2_are_ignored) {
  const std::string b64 = kSig.substr(3);
  BOOST_TEST(verify(kSecret, kId, kNow, "v1a," + b64, kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, "v2," + b64, kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, "v1a," + b64 + " v2," + b64, kBody) == verify_result::no_match);
  BOOST_TEST(verify(kSecret, kId, kNow, "v1a," + b64 + " " + kSig, kBody) == verify_result::ok);
}

BOOST_AUTO_TEST_CASE(timestamps_just_outside_the_five_minute_tolerance_fail_both_ways) {
  const int64_t old_ts = kNow - 300 - 1, new_ts = kNow + 300 + 1;
  BOOST_TEST(verify(kSecret, kId, old_ts, sign_at(old_ts), kBody) == verify_result::too_old);
  BOOST_TEST(verify(kSecret, kId, new_ts, sign_at(new_ts), kBody) == verify_result::too_new);
  BOOST_TEST(verify(kSecret, kId, kNow - 300, sign_at(kNow - 300), kBody) == verify_result::ok);
  BOOST_TEST(verify(kSecret, kId, kNow + 300, sign_at(kNow + 300), kBody) == verify_result::ok);
}

BOOST_AUTO_TEST_CASE(missing_headers_and_a_non_numeric_timestamp_fail) {
  BOOST_TEST(verify_standard({kSecret}, "", std::to_string(kNow), kSig, kBody, kNow) ==
             verify_result::missing_headers);
  BOOST_TEST(verify_standard({kSecret}, kId, "", kSig, kBody, kNow) == verify_result::missing_headers);
  BOOST_TEST(verify_standard({kSecret}, kId, std::to_string(kNow), "", kBody, kNow) ==
             verify_result::missing_headers);
  BOOST_TEST(verify_standard({kSecret}, kId, "hello", kSig, kBody, kNow) == verify_result::bad_timestamp);
}

// "QQ" spellings of the byte 'A': both libraries read the last character's unused bits loosely.
BOOST_AUTO_TEST_CASE(secrets_with_non_canonical_trailing_bits_are_read_as_the_libraries_read_them) {
  std::string key;
  for (const char* s : {"QQ==", "QR==", "QX==", "whsec_QR==", "QUJD=", "QUJD==", "QUJDQQ", "QUJDQR"}) {
    BOOST_TEST_CONTEXT(s) {
      BOOST_TEST(decode_standard_secret(s, key));
    }
  }
  BOOST_REQUIRE(decode_standard_secret("QR==", key));
  BOOST_TEST(key == "A");
  // A delivery signed with the key "A" verifies under the loose spelling of that key.
  const std::string sig = standard_signature("A", kId, kNow, kBody);
  BOOST_TEST(verify("whsec_QR==", kId, kNow, sig, kBody) == verify_result::ok);
  BOOST_TEST(verify("QX", kId, kNow, sig, kBody) == verify_result::no_match);  // too short for JavaScript
}

BOOST_AUTO_TEST_CASE(secrets_either_library_refuses_are_refused) {
  std::string key;
  for (const char* s : {"", "whsec_", "QQ", "QQ=", "whsec_QQ", "QQ===", "QUJDQ",
                        "QUJDQ=", "Q=Q=", "QQ==QQ==", "Q*QQ", "QU-D", "QU_D", "QU D", "====", "WHSEC_QUJD"}) {
    BOOST_TEST_CONTEXT("'" << s << "'") {
      BOOST_TEST(!decode_standard_secret(s, key));
    }
  }
  BOOST_TEST(verify_standard({"QU-D"}, kId, std::to_string(kNow), kSig, kBody, kNow) ==
             verify_result::no_match);
}
