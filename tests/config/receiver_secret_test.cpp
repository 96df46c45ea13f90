// config::decode_receiver_secret: what the official Standard Webhooks libraries accept as a secret, next to
// the sender's stricter decode_whsec (which keeps its canonical-only rule).
#define BOOST_TEST_MODULE receiver_secret
#include <boost/test/unit_test.hpp>

#include "config/secret.hpp"

using namespace spec_notify::config;

BOOST_AUTO_TEST_CASE(the_receiver_accepts_what_the_sender_config_refuses_but_the_libraries_accept) {
  std::vector<uint8_t> key;
  const std::string published = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  BOOST_TEST(!decode_whsec(published));  // sender: prefix required
  BOOST_TEST(decode_receiver_secret(published, key));
  BOOST_TEST(key.size() == 24u);
  BOOST_TEST(decode_receiver_secret("whsec_" + published, key));
  const std::string loose = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=";  // '9' != '8': loose bits
  BOOST_TEST(!decode_whsec(loose));
  BOOST_REQUIRE(decode_receiver_secret(loose, key));
  BOOST_TEST(key.size() == 32u);
  BOOST_TEST(key.back() == 0x1f);
}

BOOST_AUTO_TEST_CASE(the_receiver_refuses_empty_and_malformed_secrets) {
  std::vector<uint8_t> key;
  for (const char* s : {"", "whsec_", "whsec_====", "Zm9v YmFy", "Zm9v-_ar", "Zm9vY", "Zm", "Zm9v\n"})
    BOOST_TEST(!decode_receiver_secret(s, key), "'" << s << "'");
}
