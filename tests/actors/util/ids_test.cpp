#define BOOST_TEST_MODULE ids
#include "actors/util/ids.hpp"

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <set>
#include <string>

using namespace spec_notify;

BOOST_AUTO_TEST_CASE(random_id_has_prefix_26_alphanumerics_and_does_not_repeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = util::random_id("msg_");
    BOOST_REQUIRE(id.size() == 4u + 26u);
    BOOST_REQUIRE(id.rfind("msg_", 0) == 0u);
    for (char c : id.substr(4)) BOOST_REQUIRE(std::isalnum(static_cast<unsigned char>(c)));
    seen.insert(id);
  }
  BOOST_TEST(seen.size() == 1000u);
  BOOST_TEST(util::random_id("").size() == 26u);
}
