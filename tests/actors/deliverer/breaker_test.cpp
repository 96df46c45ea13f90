#define BOOST_TEST_MODULE breaker
#include "actors/deliverer/breaker.hpp"

#include <boost/test/unit_test.hpp>
#include <limits>

using spec_notify::deliverer::circuit_breaker;
using spec_notify::deliverer::circuit_change;

namespace {
const int64_t t0 = 1'700'000'000'000;  // an injected clock: unix ms
}

BOOST_AUTO_TEST_CASE(opens_after_the_configured_consecutive_failures) {
  circuit_breaker b(3, 300000, 1000);
  BOOST_TEST(b.allows(t0));
  BOOST_TEST((b.failed(t0) == circuit_change::none));
  BOOST_TEST((b.failed(t0 + 1) == circuit_change::none));
  BOOST_TEST(!b.open());
  BOOST_TEST((b.failed(t0 + 2) == circuit_change::opened));
  BOOST_TEST(b.open());
  BOOST_TEST(b.open_since_ms() == t0 + 2);
  BOOST_TEST(!b.allows(t0 + 500));
  BOOST_TEST(b.next_at(t0 + 500) == t0 + 1002);
}

BOOST_AUTO_TEST_CASE(a_success_resets_the_streak) {
  circuit_breaker b(3, 300000, 1000);
  b.failed(t0);
  b.failed(t0);
  BOOST_TEST((b.succeeded(t0) == circuit_change::none));
  BOOST_TEST((b.failed(t0) == circuit_change::none));
  BOOST_TEST((b.failed(t0) == circuit_change::none));
  BOOST_TEST(!b.open());
}

BOOST_AUTO_TEST_CASE(opens_when_failures_last_longer_than_after) {
  circuit_breaker b(100, 60000, 1000);
  BOOST_TEST((b.failed(t0) == circuit_change::none));
  BOOST_TEST((b.failed(t0 + 59999) == circuit_change::none));
  BOOST_TEST((b.failed(t0 + 60000) == circuit_change::opened));
}

BOOST_AUTO_TEST_CASE(open_circuit_allows_one_probe_per_interval_and_closes_on_success) {
  circuit_breaker b(1, 300000, 1000);
  BOOST_TEST((b.failed(t0) == circuit_change::opened));
  BOOST_TEST(!b.allows(t0 + 999));
  BOOST_TEST(b.allows(t0 + 1000));
  b.started(t0 + 1000);
  BOOST_TEST(!b.allows(t0 + 5000));  // one probe at a time
  BOOST_TEST(b.next_at(t0 + 5000) == std::numeric_limits<int64_t>::max());
  BOOST_TEST((b.failed(t0 + 1200) == circuit_change::none));  // failed probe: wait again
  BOOST_TEST(!b.allows(t0 + 2199));
  BOOST_TEST(b.allows(t0 + 2200));
  b.started(t0 + 2200);
  BOOST_TEST((b.succeeded(t0 + 2300) == circuit_change::closed));
  BOOST_TEST(!b.open());
  BOOST_TEST(b.open_since_ms() == 0);
  BOOST_TEST(b.allows(t0 + 2300));
  BOOST_TEST(b.streak() == 0);
}

BOOST_AUTO_TEST_CASE(a_late_failure_while_open_does_not_reopen_or_log_again) {
  circuit_breaker b(2, 300000, 1000);
  b.failed(t0);
  BOOST_TEST((b.failed(t0) == circuit_change::opened));
  BOOST_TEST((b.failed(t0 + 10) == circuit_change::none));  // sent before it opened
  BOOST_TEST(b.open_since_ms() == t0);
}

BOOST_AUTO_TEST_CASE(restored_open_state_probes_at_once) {
  circuit_breaker b(3, 300000, 30000);
  b.restore_open(t0 - 5000, t0);
  BOOST_TEST(b.open());
  BOOST_TEST(b.open_since_ms() == t0 - 5000);
  BOOST_TEST(b.allows(t0));
}
