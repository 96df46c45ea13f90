#define BOOST_TEST_MODULE duration
#include "config/duration.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using spec_notify::config::format_duration;
using spec_notify::config::parse_duration;

namespace {

// Parses text that must be rejected; returns the error message.
std::string rejection(std::string_view text) {
  BOOST_TEST_INFO("duration text: '" << text << "'");
  auto out = parse_duration(text);
  BOOST_TEST(!out);
  BOOST_TEST(!out.message().empty());
  return out.message();
}

std::chrono::milliseconds accepted(std::string_view text) {
  BOOST_TEST_INFO("duration text: '" << text << "'");
  auto out = parse_duration(text);
  BOOST_TEST(out.ok(), out.message());
  return out.value_or(std::chrono::milliseconds{-1});
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_unit_of_the_contract_is_accepted) {
  BOOST_TEST(accepted("250ms").count() == 250);
  BOOST_TEST(accepted("10s").count() == 10'000);
  BOOST_TEST(accepted("5m").count() == 300'000);
  BOOST_TEST(accepted("2h").count() == 7'200'000);
  BOOST_TEST(accepted("7d").count() == std::chrono::milliseconds(7 * 24h).count());
}

BOOST_AUTO_TEST_CASE(zero_and_leading_zeros_are_accepted) {
  BOOST_TEST(accepted("0s").count() == 0);
  BOOST_TEST(accepted("0ms").count() == 0);
  BOOST_TEST(accepted("007s").count() == 7000);
}

BOOST_AUTO_TEST_CASE(empty_text_is_rejected) {
  BOOST_TEST(rejection("").find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(negative_durations_are_rejected) {
  BOOST_TEST(rejection("-5s").find("negative") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_number_without_unit_is_rejected) {
  BOOST_TEST(rejection("10").find("missing unit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fractional_durations_are_rejected_with_a_hint) {
  std::string error = rejection("1.5s");
  BOOST_TEST(error.find("fractional") != std::string::npos);
  BOOST_TEST(error.find("ms") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_units_are_rejected_and_named) {
  std::string error = rejection("10x");
  BOOST_TEST(error.find("unknown unit 'x'") != std::string::npos);
  rejection("10S");
  rejection("10sec");
  rejection("1h30m");
}

BOOST_AUTO_TEST_CASE(junk_spaces_and_signs_are_rejected) {
  rejection("s");
  rejection("abc");
  rejection(" 10s");
  rejection("10s ");
  rejection("10 s");
  rejection("+10s");
}

BOOST_AUTO_TEST_CASE(values_that_overflow_milliseconds_are_rejected) {
  BOOST_TEST(rejection("99999999999999999999ms").find("too large") != std::string::npos);
  BOOST_TEST(rejection("9223372036854775807d").find("too large") != std::string::npos);
  BOOST_TEST(rejection("106751991168d").find("too large") != std::string::npos);
}

// Values that fit in milliseconds but not in a time point: steady_clock::now() + 9223372036854775807ms, or
// + 999999999999h (3.6e18 ms, 3.6e21 ns), wraps the clock's int64 nanoseconds. Everything above 100 years is
// refused, so `now() + d` is safe for any accepted d.
BOOST_AUTO_TEST_CASE(values_that_overflow_the_clock_are_rejected_above_one_hundred_years) {
  BOOST_TEST(rejection("999999999999h").find("too large (at most 36500d, 100 years)") != std::string::npos);
  BOOST_TEST(rejection("9223372036854775807ms").find("too large") != std::string::npos);
  BOOST_TEST(rejection("9223372036854775s").find("too large") != std::string::npos);
  BOOST_TEST(rejection("36501d").find("too large") != std::string::npos);
  BOOST_TEST(rejection("3153600000001ms").find("too large") != std::string::npos);
  BOOST_TEST(rejection("00000000000000000000000000036501d").find("too large") != std::string::npos);
  BOOST_TEST(accepted("36500d").count() == spec_notify::config::kMaxDuration.count());
  BOOST_TEST(accepted("3153600000000ms").count() == spec_notify::config::kMaxDuration.count());
  BOOST_TEST(accepted("876000h").count() == spec_notify::config::kMaxDuration.count());
}

BOOST_AUTO_TEST_CASE(the_largest_accepted_duration_can_be_added_to_now_on_every_clock) {
  using namespace std::chrono;
  const milliseconds max = accepted("36500d");
  const auto steady = steady_clock::now();
  const auto later = steady + max;  // would be UB on overflow; check it moved forward by exactly max
  BOOST_TEST(duration_cast<milliseconds>(later - steady).count() == max.count());
  BOOST_TEST((later.time_since_epoch().count() > steady.time_since_epoch().count()));
  const auto wall = system_clock::now();
  BOOST_TEST(duration_cast<milliseconds>((wall + max) - wall).count() == max.count());
  BOOST_TEST((duration_cast<nanoseconds>(max).count() < steady_clock::duration::max().count() / 2));
}

BOOST_AUTO_TEST_CASE(format_uses_the_largest_exact_unit) {
  BOOST_TEST(format_duration(0ms) == "0s");
  BOOST_TEST(format_duration(250ms) == "250ms");
  BOOST_TEST(format_duration(1500ms) == "1500ms");
  BOOST_TEST(format_duration(10s) == "10s");
  BOOST_TEST(format_duration(90s) == "90s");
  BOOST_TEST(format_duration(10min) == "10m");
  BOOST_TEST(format_duration(2h) == "2h");
  BOOST_TEST(format_duration(7 * 24h) == "7d");
  BOOST_TEST(format_duration(-5s) == "-5s");
}

BOOST_AUTO_TEST_CASE(formatted_durations_parse_back_to_the_same_value) {
  for (auto d : {0ms, 1ms, 999ms, 1000ms, 61000ms, 3600000ms, 86400000ms, 90061001ms}) {
    BOOST_TEST(accepted(format_duration(d)).count() == d.count());
  }
}
