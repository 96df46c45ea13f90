// ordering, rate_limit, rate_limit_burst and [notify.subscriptions.breaker]: values, defaults and errors at
// file:line:col (kMinimal is 5 lines long, so the first appended line is line 6).
#define BOOST_TEST_MODULE delivery_policy_settings
#include <boost/test/unit_test.hpp>

#include "config/settings.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(no_rate_limit_and_no_breaker_by_default) {
  load_result r = load(kMinimal);
  BOOST_TEST_INFO(dump(r));
  BOOST_REQUIRE(r.ok());
  const auto& sub = r.value.subscriptions.at(0);
  BOOST_TEST(!sub.rate_limit.enabled());
  BOOST_TEST(!sub.breaker.enabled);
}

BOOST_AUTO_TEST_CASE(rate_limit_accepts_per_second_minute_and_hour) {
  for (auto [text, count, per] :
       {std::tuple{"1/s", 1, 1000}, {"60/m", 60, 60000}, {"500/h", 500, 3600000}, {" 2 / s ", 2, 1000}}) {
    load_result r = load(kMinimal + "rate_limit = \"" + text + "\"\n");
    BOOST_TEST_INFO(text << "\n" << dump(r));
    BOOST_REQUIRE(r.ok());
    const auto& rate = r.value.subscriptions.at(0).rate_limit;
    BOOST_TEST(rate.count == count);
    BOOST_TEST(rate.per.count() == per);
    BOOST_TEST(rate.burst == 1);
  }
}

BOOST_AUTO_TEST_CASE(bad_rate_limits_are_errors_at_their_value) {
  for (const char* text : {"1", "0/s", "1/d", "x/s", "1/", "-1/s", "99999999/s", "1.5/s"}) {
    load_result r = load(kMinimal + "rate_limit = \"" + text + "\"\n");
    BOOST_TEST_INFO(text);
    expect_problem(r, 6, "rate_limit must be \"N/s\"");
  }
  expect_problem(load(kMinimal + "rate_limit = 1\n"), 6, "rate_limit");
}

BOOST_AUTO_TEST_CASE(rate_limit_burst_needs_a_rate_and_stays_within_its_count) {
  load_result r = load(kMinimal + "rate_limit = \"10/s\"\nrate_limit_burst = 5\n");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value.subscriptions.at(0).rate_limit.burst == 5);
  expect_problem(load(kMinimal + "rate_limit_burst = 2\n"), 6, "rate_limit_burst needs rate_limit");
  expect_problem(load(kMinimal + "rate_limit = \"1/s\"\nrate_limit_burst = 2\n"), 7, "must not exceed");
  expect_problem(load(kMinimal + "rate_limit = \"1/s\"\nrate_limit_burst = 0\n"), 7,
                 "rate_limit_burst must be");
}

BOOST_AUTO_TEST_CASE(an_empty_breaker_table_turns_it_on_with_defaults_tied_to_max_attempts) {
  load_result r = load(kMinimal + "[notify.subscriptions.breaker]\n");
  BOOST_REQUIRE(r.ok());
  auto b = r.value.subscriptions.at(0).breaker;
  BOOST_TEST(b.enabled);
  BOOST_TEST(b.failures == 5);
  BOOST_TEST(b.after.count() == 300000);
  BOOST_TEST(b.probe.count() == 30000);
  r = load(kMinimal + "[notify.subscriptions.retry]\nmax_attempts = 3\n[notify.subscriptions.breaker]\n");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value.subscriptions.at(0).breaker.failures == 3);
}

BOOST_AUTO_TEST_CASE(breaker_keys_are_read_and_checked) {
  load_result r =
      load(kMinimal + "[notify.subscriptions.breaker]\nfailures = 3\nafter = \"20s\"\nprobe = \"2s\"\n");
  BOOST_REQUIRE(r.ok());
  auto b = r.value.subscriptions.at(0).breaker;
  BOOST_TEST(b.failures == 3);
  BOOST_TEST(b.after.count() == 20000);
  BOOST_TEST(b.probe.count() == 2000);
  expect_problem(load(kMinimal + "[notify.subscriptions.breaker]\nfailures = 0\n"), 7,
                 "breaker.failures must be");
  expect_problem(load(kMinimal + "[notify.subscriptions.breaker]\nprobe = \"2h\"\n"), 7, "breaker.probe");
  expect_problem(load(kMinimal + "[notify.subscriptions.breaker]\nafter = \"0s\"\n"), 7, "breaker.after");
  expect_problem(load(kMinimal + "[notify.subscriptions.breaker]\nfailure = 3\n"), 7,
                 "did you mean 'failures'");
  expect_problem(load(kMinimal + "breaker = 3\n"), 6, "breaker must be a table");
}

BOOST_AUTO_TEST_CASE(a_breaker_that_opens_after_more_failures_than_max_attempts_is_a_warning) {
  load_result r =
      load(kMinimal + "[notify.subscriptions.retry]\nmax_attempts = 3\n[notify.subscriptions.breaker]\n" +
           "failures = 4\n");
  BOOST_TEST(r.ok());
  expect_problem(r, 9, "exceeds retry.max_attempts", true);
}

BOOST_AUTO_TEST_CASE(ordering_defaults_to_task_and_takes_each_mode) {
  load_result r = load(kMinimal);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST((r.value.subscriptions.at(0).ordering == ordering_mode::task));
  for (auto [text, mode] : {std::pair{"task", ordering_mode::task}, std::pair{"spec", ordering_mode::spec},
                            std::pair{"none", ordering_mode::none}}) {
    load_result m = load(kMinimal + "ordering = \"" + text + "\"\n");
    BOOST_TEST_INFO(text << "\n" << dump(m));
    BOOST_REQUIRE(m.ok());
    BOOST_TEST((m.value.subscriptions.at(0).ordering == mode));
    BOOST_TEST(to_string(mode) == text);
  }
}

BOOST_AUTO_TEST_CASE(bad_ordering_is_an_error_at_its_value) {
  expect_problem(load(kMinimal + "ordering = \"fifo\"\n"), 6,
                 "ordering must be one of task, spec, none, got 'fifo'");
  expect_problem(load(kMinimal + "ordering = \"Task\"\n"), 6, "ordering must be one of");
  expect_problem(load(kMinimal + "ordering = true\n"), 6, "ordering");
}
