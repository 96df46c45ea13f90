#define BOOST_TEST_MODULE rate_limit
#include "actors/deliverer/rate_limit.hpp"

#include <boost/test/unit_test.hpp>

using spec_notify::deliverer::token_bucket;

namespace {
const int64_t t0 = 1'700'000'000'000;  // an injected clock: unix ms
}

BOOST_AUTO_TEST_CASE(one_per_second_spaces_attempts_at_least_a_second_apart) {
  token_bucket b(1, 1000, 1);
  BOOST_TEST(b.try_take(t0));
  BOOST_TEST(!b.try_take(t0 + 999));
  BOOST_TEST(!b.try_take(t0 + 1049));  // the margin: 5%, at most 50 ms
  BOOST_TEST(b.next_at(t0 + 500) == t0 + 1050);
  BOOST_TEST(b.try_take(t0 + 1050));
  BOOST_TEST(!b.try_take(t0 + 2099));
  BOOST_TEST(b.try_take(t0 + 2100));
}

BOOST_AUTO_TEST_CASE(a_full_bucket_allows_burst_then_refills_at_the_rate) {
  token_bucket b(60, 60000, 3);  // 60/m, burst 3
  BOOST_TEST(b.tokens(t0) == 3.0);
  BOOST_TEST(b.try_take(t0));
  BOOST_TEST(b.try_take(t0));
  BOOST_TEST(b.try_take(t0));
  BOOST_TEST(!b.try_take(t0));
  BOOST_TEST(b.tokens(t0) == 0.0);
  BOOST_TEST(b.next_at(t0) == t0 + 1050);
  BOOST_TEST(b.try_take(t0 + 1050));
  // An idle bucket never holds more than burst tokens.
  BOOST_TEST(b.tokens(t0 + 3'600'000) == 3.0);
}

BOOST_AUTO_TEST_CASE(throttled_with_retry_after_holds_every_token_and_slows_the_rate) {
  token_bucket b(1, 1000, 1);
  BOOST_TEST(b.try_take(t0));
  b.throttled(t0 + 100, 5000);
  BOOST_TEST(b.slow_factor() == 2);
  BOOST_TEST(!b.try_take(t0 + 5099));
  BOOST_TEST(b.next_at(t0 + 200) == t0 + 5100);
  BOOST_TEST(b.try_take(t0 + 5100));
  BOOST_TEST(b.next_at(t0 + 5100) == t0 + 5100 + 2100);  // slowed: twice the interval
  b.succeeded();
  BOOST_TEST(b.slow_factor() == 1);
}

BOOST_AUTO_TEST_CASE(throttled_without_retry_after_only_slows) {
  token_bucket b(10, 1000, 1);
  BOOST_TEST(b.try_take(t0));
  for (int i = 0; i < 10; ++i) b.throttled(t0, -1);
  BOOST_TEST(b.slow_factor() == 64);
  BOOST_TEST(b.next_at(t0) == t0 + 105 * 64);
}

BOOST_AUTO_TEST_CASE(restored_state_spends_the_tokens_spent_before_a_restart) {
  token_bucket before(1, 1000, 5);
  for (int i = 0; i < 5; ++i) BOOST_TEST(before.try_take(t0));
  token_bucket after(1, 1000, 5);  // a new process: starts full...
  after.restore(before.saved_state(), t0 + 10);
  BOOST_TEST(!after.try_take(t0 + 10));  // ...but the restored state has no token to give
  BOOST_TEST(after.next_at(t0 + 10) == t0 + 1050);
  // A saved state from a slower config cannot stall a faster one for longer than a full bucket.
  token_bucket fast(100, 1000, 1);
  fast.restore((t0 + 3'600'000) * 1000, t0);
  BOOST_TEST(fast.next_at(t0) <= t0 + 11);
}

BOOST_AUTO_TEST_CASE(the_margin_is_five_percent_capped_at_fifty_ms_and_at_least_one_percent) {
  auto interval_ms = [](int64_t count, int64_t per_ms) {
    token_bucket b(count, per_ms, 1);
    b.try_take(t0);
    return b.next_at(t0) - t0;
  };
  BOOST_TEST(interval_ms(10, 1000) == 105);    // 100 ms + 5%
  BOOST_TEST(interval_ms(1, 1000) == 1050);    // 1 s + 50 ms (5% capped)
  BOOST_TEST(interval_ms(1, 60000) == 60600);  // 1 min + 1% (the floor)
  BOOST_TEST(interval_ms(5000, 60000) == 13);  // "5000/m": 12 ms + 0.6 ms, next_at rounds up to whole ms
}
