#define BOOST_TEST_MODULE signature
#include "actors/deliverer/signature.hpp"

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <set>
#include <thread>

using namespace spec_notify::deliverer;

namespace spec_notify::deliverer {
std::ostream& operator<<(std::ostream& os, verify_result r) {
  return os << to_string(r);
}
}  // namespace spec_notify::deliverer

namespace {

// Published vectors (docs: webhook-anchors.md).
const std::string kStdSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kStdId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const int64_t kStdTs = 1614265330;
const std::string kStdBody = R"({"test": 2432232314})";
const std::string kStdSig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const std::string kGhSecret = "mysecret";
const std::string kGhBody = R"({"foo":"bar"})";
const std::string kGhSig = "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3";

}  // namespace

BOOST_AUTO_TEST_CASE(standard_signature_matches_the_published_vector) {
  std::string key;
  BOOST_REQUIRE(decode_whsec(kStdSecret, key));
  BOOST_TEST(key.size() == 24u);
  BOOST_TEST(standard_signature(key, kStdId, kStdTs, kStdBody) == kStdSig);
  BOOST_TEST(standard_signature_header({kStdSecret}, kStdId, kStdTs, kStdBody) == kStdSig);
}

// Each thread keeps the HMAC context of the key it used last (signature.cpp): signing again with that key,
// with another key in between, with an empty key, or on another thread must still give the published values.
BOOST_AUTO_TEST_CASE(the_cached_hmac_context_gives_the_published_values_whatever_came_before) {
  std::string key;
  BOOST_REQUIRE(decode_whsec(kStdSecret, key));
  for (int round = 0; round < 3; ++round) {
    BOOST_TEST(standard_signature(key, kStdId, kStdTs, kStdBody) == kStdSig);
    BOOST_TEST(standard_signature(key, kStdId, kStdTs, kStdBody) == kStdSig);  // same key again
    BOOST_TEST(github_signature(kGhSecret, kGhBody) == kGhSig);                // another key
    BOOST_TEST(!github_signature("", kGhBody).empty());                        // an empty key
  }
  std::string other_thread;
  std::thread([&] { other_thread = standard_signature(key, kStdId, kStdTs, kStdBody); }).join();
  BOOST_TEST(other_thread == kStdSig);
  // A different body under the cached key is a different signature (the context restarts, not continues).
  BOOST_TEST(standard_signature(key, kStdId, kStdTs, "{}") != kStdSig);
  BOOST_TEST(standard_signature(key, kStdId, kStdTs, kStdBody) == kStdSig);
}

BOOST_AUTO_TEST_CASE(github_signature_matches_the_published_vector) {
  BOOST_TEST(github_signature(kGhSecret, kGhBody) == kGhSig);
  BOOST_TEST(verify_github({kGhSecret}, kGhSig, kGhBody));
}

BOOST_AUTO_TEST_CASE(rotation_header_has_one_entry_per_secret_in_order) {
  const std::string other = new_secret();
  const std::string header = standard_signature_header({other, kStdSecret}, kStdId, kStdTs, kStdBody);
  const auto space = header.find(' ');
  BOOST_REQUIRE(space != std::string::npos);
  BOOST_TEST(header.substr(space + 1) == kStdSig);
  BOOST_TEST(header.substr(0, 3) == "v1,");
  BOOST_TEST(header.find(' ', space + 1) == std::string::npos);
  // A receiver that only knows either secret accepts the rotated header.
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, std::to_string(kStdTs), header, kStdBody, kStdTs) ==
             verify_result::ok);
  BOOST_TEST(verify_standard({other}, kStdId, std::to_string(kStdTs), header, kStdBody, kStdTs) ==
             verify_result::ok);
}

BOOST_AUTO_TEST_CASE(malformed_secrets_are_skipped_when_signing) {
  BOOST_TEST(standard_signature_header({"not-a-secret", kStdSecret}, kStdId, kStdTs, kStdBody) == kStdSig);
  BOOST_TEST(standard_signature_header({"whsec_!!!"}, kStdId, kStdTs, kStdBody).empty());
}

BOOST_AUTO_TEST_CASE(verify_accepts_the_published_vector_within_tolerance) {
  const std::string ts = std::to_string(kStdTs);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs) == verify_result::ok);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs + 300) == verify_result::ok);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs - 300) == verify_result::ok);
  // Unknown versions and extra entries around the right one are tolerated.
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, "v2,abc " + kStdSig + " v1,AAAA", kStdBody, kStdTs) ==
             verify_result::ok);
}

BOOST_AUTO_TEST_CASE(verify_rejects_a_tampered_body_id_or_signature) {
  const std::string ts = std::to_string(kStdTs);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, R"({"test": 2432232315})", kStdTs) ==
             verify_result::no_match);
  BOOST_TEST(verify_standard({kStdSecret}, "msg_other", ts, kStdSig, kStdBody, kStdTs) ==
             verify_result::no_match);
  std::string bad = kStdSig;
  bad[5] = bad[5] == 'A' ? 'B' : 'A';
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, bad, kStdBody, kStdTs) == verify_result::no_match);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig.substr(3), kStdBody, kStdTs) ==
             verify_result::no_match);  // no "v1," prefix
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig + "=", kStdBody, kStdTs) ==
             verify_result::no_match);
}

BOOST_AUTO_TEST_CASE(verify_rejects_old_and_future_timestamps) {
  const std::string ts = std::to_string(kStdTs);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs + 301) ==
             verify_result::too_old);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs - 301) ==
             verify_result::too_new);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, kStdSig, kStdBody, kStdTs + 30, 10) ==
             verify_result::too_old);
}

BOOST_AUTO_TEST_CASE(verify_rejects_a_wrong_secret) {
  const std::string ts = std::to_string(kStdTs);
  BOOST_TEST(verify_standard({new_secret()}, kStdId, ts, kStdSig, kStdBody, kStdTs) ==
             verify_result::no_match);
  BOOST_TEST(verify_standard({}, kStdId, ts, kStdSig, kStdBody, kStdTs) == verify_result::no_match);
  BOOST_TEST(verify_standard({"garbage"}, kStdId, ts, kStdSig, kStdBody, kStdTs) == verify_result::no_match);
}

BOOST_AUTO_TEST_CASE(verify_reports_missing_headers_and_bad_timestamps) {
  const std::string ts = std::to_string(kStdTs);
  BOOST_TEST(verify_standard({kStdSecret}, "", ts, kStdSig, kStdBody, kStdTs) ==
             verify_result::missing_headers);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, "", kStdSig, kStdBody, kStdTs) ==
             verify_result::missing_headers);
  BOOST_TEST(verify_standard({kStdSecret}, kStdId, ts, "", kStdBody, kStdTs) ==
             verify_result::missing_headers);
  for (const char* bad : {"abc", "-1614265330", "1614265330.5", " 1614265330", "99999999999999999999999"})
    BOOST_TEST(
        verify_standard({kStdSecret}, kStdId, bad, kStdSig, kStdBody, kStdTs) == verify_result::bad_timestamp,
        bad);
}

BOOST_AUTO_TEST_CASE(github_verify_rejects_tampering_and_wrong_secrets_and_accepts_rotation) {
  BOOST_TEST(!verify_github({kGhSecret}, kGhSig, R"({"foo":"baz"})"));
  BOOST_TEST(!verify_github({"othersecret"}, kGhSig, kGhBody));
  BOOST_TEST(verify_github({"othersecret", kGhSecret}, kGhSig, kGhBody));
  BOOST_TEST(!verify_github({kGhSecret}, kGhSig.substr(7), kGhBody));  // bare hex without "sha256="
  BOOST_TEST(!verify_github({kGhSecret}, "", kGhBody));
  std::string upper = kGhSig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  BOOST_TEST(!verify_github({kGhSecret}, upper, kGhBody));
}

BOOST_AUTO_TEST_CASE(github_signature_is_keyed_by_the_full_configured_secret_text) {
  // For whsec_ secrets the HMAC key is the text itself, not the decoded bytes (what GitHub-style receivers
  // use).
  std::string key;
  BOOST_REQUIRE(decode_whsec(kStdSecret, key));
  BOOST_TEST(github_signature(kStdSecret, kGhBody) != github_signature(key, kGhBody));
  BOOST_TEST(verify_github({kStdSecret}, github_signature(kStdSecret, kGhBody), kGhBody));
}

BOOST_AUTO_TEST_CASE(decode_whsec_rejects_malformed_secrets) {
  std::string key;
  BOOST_TEST(!decode_whsec("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key));  // no prefix
  BOOST_TEST(!decode_whsec("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key));
  BOOST_TEST(!decode_whsec("whsec_", key));                  // empty key
  BOOST_TEST(!decode_whsec("whsec_MfKQ9r8G*YqrTwjU", key));  // bad character
  BOOST_TEST(!decode_whsec("whsec_MfKQ 9r8G", key));         // white space
  BOOST_TEST(!decode_whsec("whsec_M", key));                 // impossible length
  BOOST_TEST(!decode_whsec("whsec_QUJD=", key));             // padding after a full block
  BOOST_TEST(!decode_whsec("whsec_QQ=", key));               // partial padding
  BOOST_TEST(!decode_whsec("whsec_Q=Q=", key));              // padding in the middle
}

BOOST_AUTO_TEST_CASE(decode_whsec_accepts_padded_and_unpadded_base64) {
  std::string key;
  BOOST_REQUIRE(decode_whsec("whsec_QQ==", key));
  BOOST_TEST(key == "A");
  BOOST_REQUIRE(decode_whsec("whsec_QQ", key));
  BOOST_TEST(key == "A");
  BOOST_REQUIRE(decode_whsec("whsec_QUI=", key));
  BOOST_TEST(key == "AB");
  BOOST_REQUIRE(decode_whsec("whsec_QUJD", key));
  BOOST_TEST(key == "ABC");
}

BOOST_AUTO_TEST_CASE(new_secret_is_whsec_with_32_random_bytes) {
  const std::string a = new_secret(), b = new_secret();
  BOOST_TEST(a != b);
  BOOST_TEST(a.rfind("whsec_", 0) == 0u);
  std::string key;
  BOOST_REQUIRE(decode_whsec(a, key));
  BOOST_TEST(key.size() == 32u);
  BOOST_TEST(a.size() == 6u + 44u);
}

BOOST_AUTO_TEST_CASE(split_secrets_splits_on_white_space) {
  BOOST_TEST((split_secrets("  whsec_a \t whsec_b\n") == std::vector<std::string>{"whsec_a", "whsec_b"}));
  BOOST_TEST(split_secrets("   ").empty());
}
