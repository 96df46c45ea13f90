#define BOOST_TEST_MODULE retry_policy
#include "actors/deliverer/retry_policy.hpp"

#include <boost/test/unit_test.hpp>

using namespace spec_notify::deliverer;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// 2015-10-21T07:28:00Z, a Wednesday.
std::chrono::system_clock::time_point at_unix(int64_t s) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}
const int64_t kNow = 1445412480;

}  // namespace

BOOST_AUTO_TEST_CASE(classify_follows_the_contract_table) {
  struct row {
    int status;
    response_class expected;
  };
  const row table[] = {
      {200, response_class::delivered}, {201, response_class::delivered}, {204, response_class::delivered},
      {299, response_class::delivered}, {0, response_class::retry},       {100, response_class::retry},
      {301, response_class::retry},     {302, response_class::retry},     {304, response_class::retry},
      {307, response_class::retry},     {400, response_class::retry},     {401, response_class::retry},
      {404, response_class::retry},     {408, response_class::retry},     {413, response_class::retry},
      {500, response_class::retry},     {502, response_class::retry},     {504, response_class::retry},
      {410, response_class::disable},   {429, response_class::throttled}, {503, response_class::throttled},
  };
  for (const auto& r : table) BOOST_TEST(to_string(classify(r.status)) == to_string(r.expected), r.status);
}

BOOST_AUTO_TEST_CASE(full_jitter_stays_within_the_exponential_bound) {
  std::mt19937_64 rng(42);
  const backoff_params p{10, milliseconds(1000), milliseconds(600000), 2.0};
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const int64_t bound = 1000LL << (attempt - 1);
    int64_t max_seen = 0;
    for (int i = 0; i < 2000; ++i) {
      const auto d = full_jitter_backoff(attempt, p, rng).count();
      BOOST_REQUIRE(d >= 0);
      BOOST_REQUIRE(d <= bound);
      max_seen = std::max(max_seen, d);
    }
    // Full jitter spreads over the whole range, not just its bottom.
    BOOST_TEST(max_seen > bound / 2, "attempt " << attempt);
  }
}

BOOST_AUTO_TEST_CASE(full_jitter_is_capped_at_max_and_never_overflows) {
  std::mt19937_64 rng(7);
  const backoff_params p{10, milliseconds(1000), milliseconds(5000), 2.0};
  for (int attempt : {4, 10, 64, 1000, 1 << 30}) {
    for (int i = 0; i < 500; ++i) {
      const auto d = full_jitter_backoff(attempt, p, rng).count();
      BOOST_REQUIRE(d >= 0);
      BOOST_REQUIRE(d <= 5000);
    }
  }
  // attempts_made below 1 behaves like the first retry.
  for (int i = 0; i < 500; ++i) BOOST_REQUIRE(full_jitter_backoff(0, p, rng).count() <= 1000);
}

BOOST_AUTO_TEST_CASE(full_jitter_is_deterministic_for_a_seed) {
  const backoff_params p{10, milliseconds(250), milliseconds(60000), 3.0};
  std::mt19937_64 a(99), b(99);
  for (int attempt = 1; attempt < 10; ++attempt)
    BOOST_TEST(full_jitter_backoff(attempt, p, a).count() == full_jitter_backoff(attempt, p, b).count());
}

BOOST_AUTO_TEST_CASE(retry_after_accepts_delta_seconds) {
  milliseconds out{-1};
  BOOST_REQUIRE(parse_retry_after("120", at_unix(kNow), out));
  BOOST_TEST(out.count() == 120000);
  BOOST_REQUIRE(parse_retry_after(" 0 ", at_unix(kNow), out));
  BOOST_TEST(out.count() == 0);
  BOOST_REQUIRE(parse_retry_after("-5", at_unix(kNow), out));
  BOOST_TEST(out.count() == 0);
  BOOST_REQUIRE(parse_retry_after("99999999999999999999999999", at_unix(kNow), out));
  BOOST_TEST(out.count() > 0);  // saturates instead of overflowing
}

BOOST_AUTO_TEST_CASE(retry_after_accepts_the_three_http_date_forms) {
  milliseconds out{-1};
  BOOST_REQUIRE(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", at_unix(kNow), out));  // IMF-fixdate
  BOOST_TEST(out.count() == 120000);
  out = milliseconds(-1);
  BOOST_REQUIRE(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", at_unix(kNow), out));  // RFC 850
  BOOST_TEST(out.count() == 60000);
  out = milliseconds(-1);
  BOOST_REQUIRE(parse_retry_after("Wed Oct 21 07:28:30 2015", at_unix(kNow), out));  // asctime
  BOOST_TEST(out.count() == 30000);
  BOOST_REQUIRE(parse_retry_after("Thu Nov  5 00:00:00 2015", at_unix(kNow), out));  // asctime, 1-digit day
  BOOST_TEST(out.count() > 0);
  // The RFC 7231 example date, and sub-second precision of `now`.
  BOOST_REQUIRE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at_unix(784111777 - 10), out));
  BOOST_TEST(out.count() == 10000);
  BOOST_REQUIRE(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", at_unix(kNow) + milliseconds(500), out));
  BOOST_TEST(out.count() == 119500);
}

BOOST_AUTO_TEST_CASE(retry_after_in_the_past_is_zero) {
  milliseconds out{-1};
  BOOST_REQUIRE(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", at_unix(kNow), out));
  BOOST_TEST(out.count() == 0);
}

BOOST_AUTO_TEST_CASE(retry_after_rejects_garbage) {
  for (const char* bad : {"", "   ", "soon", "12s", "1.5", "0x10", "Wed, 21 Oct 2015 07:30:00",
                          "Wed, 21 Oct 2015 07:30:00 GMT trailing", "Wed, 32 Oct 2015 07:30:00 GMT",
                          "Wed, 21 Foo 2015 07:30:00 GMT", "Wed, 21 Oct 2015 25:30:00 GMT",
                          "Xyz, 21 Oct 2015 07:30:00 GMT", "Wed 21 Oct 2015 07:30:00 GMT", "--5", "-"}) {
    milliseconds out{-7};
    BOOST_TEST(!parse_retry_after(bad, at_unix(kNow), out), "'" << bad << "'");
    BOOST_TEST(out.count() == -7);
  }
}

// Found by the retry_after fuzzer: a far-future date overflowed from_time_t and came back as "retry now".
BOOST_AUTO_TEST_CASE(retry_after_dates_past_2262_mean_wait_long_not_retry_now) {
  std::chrono::milliseconds out{0};
  BOOST_REQUIRE(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", at_unix(kNow), out));
  BOOST_TEST(out.count() > int64_t(9) * 365 * 24 * 3600 * 1000);
}
