#define BOOST_TEST_MODULE secret
#include "config/secret.hpp"

#include <boost/test/unit_test.hpp>

using namespace spec_notify::config;

BOOST_AUTO_TEST_CASE(secrets_are_split_on_any_white_space) {
  auto parts = split_secrets("  whsec_a\twhsec_b \n whsec_c  ");
  BOOST_TEST(parts == (std::vector<std::string>{"whsec_a", "whsec_b", "whsec_c"}),
             boost::test_tools::per_element());
  BOOST_TEST(split_secrets("   ").empty());
  BOOST_TEST(split_secrets("").empty());
}

BOOST_AUTO_TEST_CASE(base64_decoding_is_strict) {
  std::vector<uint8_t> out;
  BOOST_TEST(base64_decode("aGVsbG8=", out));
  BOOST_TEST(std::string(out.begin(), out.end()) == "hello");
  BOOST_TEST(base64_decode("aGVsbG8", out));  // padding optional
  BOOST_TEST(std::string(out.begin(), out.end()) == "hello");
  BOOST_TEST(base64_decode("", out));
  BOOST_TEST(out.empty());
  BOOST_TEST(!base64_decode("aGVsbG8==", out));  // wrong padding
  BOOST_TEST(!base64_decode("aGVs bG8=", out));  // white space
  BOOST_TEST(!base64_decode("aGVsbG-_", out));   // url-safe alphabet
  BOOST_TEST(!base64_decode("a", out));          // impossible length
  BOOST_TEST(!base64_decode("aGVsbG9=", out));   // non-zero trailing bits
}

BOOST_AUTO_TEST_CASE(a_whsec_secret_yields_its_key_bytes) {
  auto decoded = decode_whsec("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  BOOST_REQUIRE_MESSAGE(decoded, decoded.message());
  const std::vector<uint8_t>& key = *decoded;
  BOOST_REQUIRE(key.size() == 32u);
  for (size_t i = 0; i < key.size(); ++i) BOOST_TEST(key[i] == i);
}

BOOST_AUTO_TEST_CASE(bad_secrets_are_rejected_without_echoing_them) {
  auto key = decode_whsec("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  BOOST_TEST(!key);
  BOOST_TEST(key.message().find("whsec_") != std::string::npos);
  BOOST_TEST(key.message().find("AAEC") == std::string::npos);
  key = decode_whsec("whsec_not*base64");
  BOOST_TEST(!key);
  BOOST_TEST(key.message().find("base64") != std::string::npos);
  BOOST_TEST(key.message().find("not*base64") == std::string::npos);
  key = decode_whsec("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=");
  BOOST_TEST(!key);
  BOOST_TEST(key.message().find("23 bytes") != std::string::npos);
}
