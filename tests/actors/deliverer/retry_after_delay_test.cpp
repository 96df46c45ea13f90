#define BOOST_TEST_MODULE retry_after_delay
// retry_after_delay(): which Retry-After values a throttled attempt honours (capped at max_backoff) and which
// it ignores so that normal jittered backoff applies (issue 11 item 4).
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "actors/deliverer/retry_policy.hpp"

using namespace spec_notify::deliverer;
using std::chrono::milliseconds;

namespace {

// 2015-10-21T07:28:00Z, a Wednesday.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1445412480));
const milliseconds kMaxBackoff{600000};  // 10 min, the default max_backoff

std::optional<milliseconds> delay_of(const std::string& value, milliseconds max_backoff = kMaxBackoff) {
  return retry_after_delay(value, kNow, max_backoff);
}

}  // namespace

BOOST_AUTO_TEST_CASE(delta_seconds_are_honoured) {
  BOOST_TEST(delay_of("120").value().count() == 120000);
  BOOST_TEST(delay_of(" 7\t").value().count() == 7000);
  BOOST_TEST(delay_of("0").value().count() == 0);  // "retry now" is a legitimate answer
}

BOOST_AUTO_TEST_CASE(a_future_http_date_is_honoured) {
  BOOST_TEST(delay_of("Wed, 21 Oct 2015 07:30:00 GMT").value().count() == 120000);
  BOOST_TEST(delay_of("Wednesday, 21-Oct-15 07:29:00 GMT").value().count() == 60000);
  BOOST_TEST(delay_of("Wed Oct 21 07:28:30 2015").value().count() == 30000);
}

BOOST_AUTO_TEST_CASE(a_negative_value_is_ignored) {
  // Old behaviour: clamped to 0, i.e. "retry at once", which let a server force hot retries.
  for (const char* v : {"-5", "-0", " -120 ", "-99999999999999999999999999"})
    BOOST_TEST(!delay_of(v).has_value(), "'" << v << "'");
}

BOOST_AUTO_TEST_CASE(a_signed_positive_value_is_ignored) {
  BOOST_TEST(!delay_of("+5").has_value());  // delta-seconds is 1*DIGIT: no sign
}

BOOST_AUTO_TEST_CASE(a_non_numeric_value_is_ignored) {
  for (const char* v : {"", "   ", "soon", "12s", "1.5", "0x10", "1e3", "5 5", "Wed, 21 Oct 2015 07:30:00",
                        "Wed, 32 Oct 2015 07:30:00 GMT", "--5", "-"})
    BOOST_TEST(!delay_of(v).has_value(), "'" << v << "'");
}

BOOST_AUTO_TEST_CASE(an_overflowing_value_is_ignored) {
  // More seconds than a signed 64-bit millisecond count holds (INT64_MAX / 1000 = 9223372036854775).
  for (const char* v : {"9223372036854776", "18446744073709551616", "99999999999999999999999999"})
    BOOST_TEST(!delay_of(v).has_value(), "'" << v << "'");
}

BOOST_AUTO_TEST_CASE(a_past_http_date_is_ignored) {
  // Old behaviour: a delay of 0 ("retry now"). A date at `now` is not in the future either.
  for (const char* v : {"Wed, 21 Oct 2015 07:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
                        "Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:27:59 GMT"})
    BOOST_TEST(!delay_of(v).has_value(), "'" << v << "'");
}

BOOST_AUTO_TEST_CASE(a_huge_value_is_capped_at_max_backoff) {
  BOOST_TEST(delay_of("86400000").value().count() == kMaxBackoff.count());          // 1000 days
  BOOST_TEST(delay_of("9223372036854775").value().count() == kMaxBackoff.count());  // the largest that fits
  BOOST_TEST(delay_of("Fri, 31 Dec 9999 23:59:59 GMT").value().count() == kMaxBackoff.count());
  BOOST_TEST(delay_of("120", milliseconds(5000)).value().count() == 5000);
  BOOST_TEST(delay_of("4", milliseconds(5000)).value().count() == 4000);
}
