#define BOOST_TEST_MODULE rescan_policy
// When the watcher runs its full stat rescan (actors/watcher/rescan_policy.hpp): rarely while inotify is
// healthy, at once after an overflow, every poll_interval while a watch is missing, every 100 ms without
// inotify. Pure: the test passes the clock.
#include "actors/watcher/rescan_policy.hpp"

#include <boost/test/unit_test.hpp>

using namespace spec_notify::watcher;
using namespace std::chrono_literals;
using clock_type = rescan_schedule::clock;

namespace {

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

}  // namespace

BOOST_AUTO_TEST_CASE(the_first_call_is_due_so_the_start_scans_everything) {
  rescan_schedule s(1s);
  BOOST_TEST(s.due(t0));
}

BOOST_AUTO_TEST_CASE(healthy_inotify_waits_for_the_safety_period_only) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, false);
  BOOST_TEST(!s.due(t0 + 1s));  // the old poll_interval rescan is gone
  BOOST_TEST(!s.due(t0 + 59s));
  BOOST_TEST(s.due(t0 + 60s));
  BOOST_TEST(safety_rescan_period(1s).count() == 60000);
  BOOST_TEST(safety_rescan_period(30s).count() == 300000);  // 10 x poll_interval when that is longer
  BOOST_TEST(safety_rescan_period(100ms).count() == 60000);
}

BOOST_AUTO_TEST_CASE(an_overflow_makes_the_rescan_due_now) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, false);
  s.overflowed(t0 + 5s);
  BOOST_TEST(s.due(t0 + 5s));
  s.rescanned(t0 + 5s, source_health::healthy, false);  // the overflow's rescan: healthy again afterwards
  BOOST_TEST(!s.due(t0 + 6s));
  BOOST_TEST(s.due(t0 + 65s));
}

BOOST_AUTO_TEST_CASE(a_missing_watch_means_a_rescan_every_poll_interval) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::incomplete, false);
  BOOST_TEST(!s.due(t0 + 999ms));
  BOOST_TEST(s.due(t0 + 1s));
}

BOOST_AUTO_TEST_CASE(a_watch_lost_between_rescans_brings_the_next_one_forward) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, false);
  s.health_changed(source_health::incomplete);
  BOOST_TEST(s.due(t0 + 1s));
  // A long-healthy source that loses a watch rescans at once (the poll_interval since the last one is over).
  rescan_schedule late(1s);
  late.rescanned(t0, source_health::healthy, false);
  late.health_changed(source_health::incomplete);
  BOOST_TEST(late.due(t0 + 50s));
  // Getting healthy never postpones a rescan that is already due sooner.
  rescan_schedule back(1s);
  back.rescanned(t0, source_health::incomplete, false);
  back.health_changed(source_health::healthy);
  BOOST_TEST(back.due(t0 + 1s));
}

BOOST_AUTO_TEST_CASE(without_inotify_the_stat_loop_runs_every_100_ms) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::unavailable, false);
  BOOST_TEST(!s.due(t0 + 99ms));
  BOOST_TEST(s.due(t0 + 100ms));
  BOOST_TEST(rescan_period(source_health::unavailable, 5s, false).count() == 100);
}

BOOST_AUTO_TEST_CASE(a_file_held_back_as_mid_write_is_looked_at_again_after_poll_interval) {
  // After an overflow its close event may be lost: waiting for the safety period would delay it by a minute.
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, true);
  BOOST_TEST(s.due(t0 + 1s));
  BOOST_TEST(rescan_period(source_health::healthy, 2s, true).count() == 2000);
}

BOOST_AUTO_TEST_CASE(a_tracked_path_created_without_a_close_event_is_rescanned_within_poll_interval) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, false);
  s.recheck_after(t0 + 10s);
  BOOST_TEST(!s.due(t0 + 10s + 999ms));
  BOOST_TEST(s.due(t0 + 11s));
  s.overflowed(t0 + 10s + 500ms);  // never later than what is already due
  BOOST_TEST(s.due(t0 + 10s + 500ms));
}

BOOST_AUTO_TEST_CASE(an_expensive_rescan_stretches_the_safety_period_to_stay_under_a_thousandth_of_a_core) {
  rescan_schedule s(1s);
  s.rescanned(t0, source_health::healthy, false, 20ms);  // ~1,000 SPEC folders: the 60 s stay
  BOOST_TEST(s.due(t0 + 60s));
  s.rescanned(t0, source_health::healthy, false, 900ms);  // ~30,000 folders: every 15 min
  BOOST_TEST(!s.due(t0 + 899s));
  BOOST_TEST(s.due(t0 + 900s));
  // The cost never delays the rescans that inotify's health asks for.
  s.rescanned(t0, source_health::incomplete, false, 900ms);
  BOOST_TEST(s.due(t0 + 1s));
  s.rescanned(t0, source_health::healthy, true, 900ms);
  BOOST_TEST(s.due(t0 + 1s));
}
