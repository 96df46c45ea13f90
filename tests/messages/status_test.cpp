#define BOOST_TEST_MODULE status
// messages/status.hpp: status (ok or one line) and result<T> (a value or a failed status). That a discarded
// status or result is a compiler warning is checked by the ctest pair status_discarded_ok/_fails
// (tests/compile/discarded_status.cpp).
#include "messages/status.hpp"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

using spec_notify::result;
using spec_notify::status;

namespace {

result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return status::failure(std::string("not a digit: ") + c);
  return c - '0';
}

struct point {
  int x = 0, y = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(status_is_ok_or_one_message) {
  BOOST_TEST(status().ok());
  BOOST_TEST(status::success().ok());
  BOOST_TEST(status().message().empty());
  status failed = status::failure("disk full");
  BOOST_TEST(!failed.ok());
  BOOST_TEST(!static_cast<bool>(failed));
  BOOST_TEST(failed.message() == "disk full");
  BOOST_TEST(status::failure("").message() == "failed");  // an empty message still means failure
}

BOOST_AUTO_TEST_CASE(a_result_holds_its_value) {
  result<int> r = parse_digit('7');
  BOOST_TEST(r.ok());
  BOOST_TEST(static_cast<bool>(r));
  BOOST_TEST(r.value() == 7);
  BOOST_TEST(*r == 7);
  BOOST_TEST(r.error().ok());
  BOOST_TEST(r.message().empty());
  BOOST_TEST(r.value_or(-1) == 7);
  *r = 8;
  BOOST_TEST(r.value() == 8);
}

BOOST_AUTO_TEST_CASE(a_failed_result_carries_the_message) {
  result<int> r = parse_digit('x');
  BOOST_TEST(!r.ok());
  BOOST_TEST(!r);
  BOOST_TEST(!r.error().ok());
  BOOST_TEST(r.error().message() == "not a digit: x");
  BOOST_TEST(r.message() == "not a digit: x");
  BOOST_TEST(r.value_or(-1) == -1);
  // An empty failure message reads as "failed", as for status.
  result<int> empty = status::failure("");
  BOOST_TEST(!empty);
  BOOST_TEST(empty.message() == "failed");
}

BOOST_AUTO_TEST_CASE(arrow_and_move_only_values) {
  result<point> p = point{3, 4};
  BOOST_TEST(p->x == 3);
  p->y = 5;
  BOOST_TEST((*p).y == 5);
  const result<point>& cp = p;
  BOOST_TEST(cp->y == 5);

  result<std::unique_ptr<int>> owned = std::make_unique<int>(42);
  BOOST_REQUIRE(owned);
  std::unique_ptr<int> taken = std::move(owned).value();
  BOOST_TEST(*taken == 42);
  result<std::unique_ptr<int>> none = status::failure("no store");
  BOOST_TEST(!none);
  BOOST_TEST(none.message() == "no store");
}

BOOST_AUTO_TEST_CASE(results_are_assignable_both_ways) {
  result<std::vector<int>> r = status::failure("first");
  r = std::vector<int>{1, 2};
  BOOST_REQUIRE(r);
  BOOST_TEST(r->size() == 2u);
  BOOST_TEST(r.message().empty());
  r = status::failure("again");
  BOOST_TEST(!r);
  BOOST_TEST(r.message() == "again");
}
