#define BOOST_TEST_MODULE spec_key
#include "actors/differ/spec_key.hpp"

#include <boost/test/unit_test.hpp>

using spec_notify::differ::spec_key;

BOOST_AUTO_TEST_CASE(key_ends_at_the_first_all_digit_token) {
  BOOST_TEST(spec_key("SPEC-KIT-075-add-webhook-notification-system-for") == "SPEC-KIT-075");
  BOOST_TEST(spec_key("SPEC-OPS-004-integrated-coder-hooks") == "SPEC-OPS-004");
  BOOST_TEST(spec_key("SPEC-KIT-045-mini") == "SPEC-KIT-045");
  BOOST_TEST(spec_key("SPEC-KIT-075") == "SPEC-KIT-075");
  BOOST_TEST(spec_key("SPEC-KIT-075-2-x") == "SPEC-KIT-075");
}

BOOST_AUTO_TEST_CASE(key_is_the_whole_id_when_no_token_is_all_digits) {
  BOOST_TEST(spec_key("SPEC-KIT-DEMO") == "SPEC-KIT-DEMO");
  BOOST_TEST(spec_key("SPEC-KIT-0x5-a") == "SPEC-KIT-0x5-a");
  BOOST_TEST(spec_key("") == "");
}

BOOST_AUTO_TEST_CASE(empty_tokens_are_not_all_digit_tokens) {
  BOOST_TEST(spec_key("SPEC--7-x") == "SPEC--7");
  BOOST_TEST(spec_key("-") == "-");
  BOOST_TEST(spec_key("12-x") == "12");
}
