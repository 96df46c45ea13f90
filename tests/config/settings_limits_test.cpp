// Issue 11: the per-change cost caps, admin = "off", and the bounds every duration key has (each error at the
// value's file:line:col).
#define BOOST_TEST_MODULE settings_limits
#include <boost/test/unit_test.hpp>

#include "config/settings.hpp"
#include "settings_fixture.hpp"

using namespace std::chrono_literals;
using namespace spec_notify::config;
using namespace spec_notify::config::testing;

// Line numbers below count from 1 in each raw string; kMinimal is 5 lines long.

BOOST_AUTO_TEST_CASE(cost_caps_default_to_50000_rows_and_20000_events) {
  load_result r = load(kMinimal);
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.max_task_rows == 50000);
  BOOST_TEST(r.value.max_events_per_diff == 20000);
}

BOOST_AUTO_TEST_CASE(cost_caps_are_read_and_accept_both_ends_of_their_range) {
  load_result r = load("[notify]\nmax_task_rows = 1\nmax_events_per_diff = 10000000\n" + kMinimal.substr(9));
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.max_task_rows == 1);
  BOOST_TEST(r.value.max_events_per_diff == 10000000);
}

BOOST_AUTO_TEST_CASE(cost_caps_outside_one_to_ten_million_or_of_the_wrong_type_are_errors) {
  load_result r = load(R"([notify]
max_task_rows = 0
max_events_per_diff = 10000001
)");
  expect_problem(r, 2, "notify.max_task_rows must be between 1 and 10000000, got 0");
  expect_problem(r, 3, "notify.max_events_per_diff must be between 1 and 10000000, got 10000001");
  BOOST_TEST(error_count(r) == 2u, dump(r));
  r = load("[notify]\nmax_task_rows = \"100\"\nmax_events_per_diff = -5\n");
  expect_problem(r, 2, "notify.max_task_rows must be an integer, not a string");
  expect_problem(r, 3, "notify.max_events_per_diff must be between 1 and 10000000, got -5");
}

BOOST_AUTO_TEST_CASE(admin_off_disables_the_admin_actor) {
  load_result r = load(kMinimal);
  BOOST_TEST(r.value.admin_enabled);
  r = load("[notify]\nadmin = \"off\"\n" + kMinimal.substr(9));
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(!r.value.admin_enabled);
}

BOOST_AUTO_TEST_CASE(admin_values_other_than_off_stay_host_port) {
  load_result r = load("[notify]\nadmin = \"127.0.0.1:7000\"\n" + kMinimal.substr(9));
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.admin_enabled);
  BOOST_TEST(r.value.admin == "127.0.0.1:7000");
  r = load("[notify]\nadmin = \"OFF\"\n");
  expect_problem(r, 2, "notify.admin: invalid address 'OFF'");
  r = load("[notify]\nadmin = \"\"\n");
  expect_problem(r, 2, "notify.admin: invalid address ''");
}

BOOST_AUTO_TEST_CASE(durations_that_overflow_the_clock_are_errors_at_the_value) {
  load_result r = expect_duration_problems(duration_set::overflow);
  BOOST_TEST(find_problem(r, "999999999999h")->col == 25);
}

BOOST_AUTO_TEST_CASE(each_duration_key_has_a_sane_maximum) {
  expect_duration_problems(duration_set::over_maximum);
}

BOOST_AUTO_TEST_CASE(durations_at_their_maximum_are_accepted) {
  load_result r = expect_duration_problems(duration_set::at_maximum);
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.dead_letter_retention.count() == std::chrono::milliseconds(3650 * 24h).count());
  BOOST_REQUIRE(r.value.subscriptions.size() == 1u);
  BOOST_TEST(r.value.subscriptions[0].timeout.count() == std::chrono::milliseconds(1h).count());
  BOOST_TEST(r.value.subscriptions[0].retry.max_backoff.count() == 86400000);
}
