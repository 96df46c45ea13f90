#define BOOST_TEST_MODULE ordering
// The schedule's ordering keys (issue 16): deliveries of one key are attempted one after another, lowest
// sequence first; a failing head holds only its own key; different keys go in parallel.
#include <boost/test/unit_test.hpp>

#include "actors/deliverer/schedule.hpp"
#include "actors/store/records.hpp"
#include "tests/support/spool.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::ids;
using testing::persist;
using testing::put_pending;

namespace {

delivery make(const std::string& id, const std::string& key, int64_t sequence, int64_t next_at_ms = 0) {
  delivery d;
  d.id = id;
  d.subscription = "hooks";
  d.event_id = "evt_" + id;
  d.event_type = "spec-kit.task.transitioned";
  d.ordering_key = key;
  d.sequence = sequence;
  d.body = "{\"id\":\"" + id + "\"}";
  d.next_at_ms = next_at_ms;
  return d;
}

config::subscription_settings settings(config::ordering_mode mode = config::ordering_mode::task) {
  config::subscription_settings sub;
  sub.name = "hooks";
  sub.retry.max_attempts = 2;
  sub.retry.initial_backoff = std::chrono::milliseconds(10);
  sub.retry.max_backoff = std::chrono::milliseconds(10);
  sub.ordering = mode;
  return sub;
}

using fixture = testing::temp_store;
using names = std::vector<std::string>;
constexpr int64_t far = int64_t(1) << 50;  // a `now` past every backoff

}  // namespace

BOOST_FIXTURE_TEST_CASE(one_key_goes_one_at_a_time_and_other_keys_in_parallel, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_a1", "S/T1", 1));
  put_pending(*db, s, make("msg_a2", "S/T1", 2));
  put_pending(*db, s, make("msg_a3", "S/T1", 3));
  put_pending(*db, s, make("msg_b1", "S/T2", 1));
  BOOST_TEST(s.keys_waiting() == 1u);
  BOOST_TEST(s.longest_key_queue() == 3u);
  BOOST_TEST(ids(s.take_due(0, 10)) == (names{"msg_a1", "msg_b1"}));
  BOOST_TEST(s.take_due(far, 10).empty());  // a2 waits for a1, however long
  s.complete(testing::result("msg_a1", 200), 1);
  BOOST_TEST(ids(s.take_due(1, 10)) == (names{"msg_a2"}));
  s.complete(testing::result("msg_a2", 200), 2);
  s.complete(testing::result("msg_b1", 200), 2);
  BOOST_TEST(ids(s.take_due(2, 10)) == (names{"msg_a3"}));
  s.complete(testing::result("msg_a3", 200), 3);
  BOOST_TEST(s.pending() == 0u);
  BOOST_TEST(s.keys_waiting() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_failing_head_holds_its_key_until_delivered_or_dead_lettered, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_1", "S/T1", 1));
  put_pending(*db, s, make("msg_2", "S/T1", 2));
  put_pending(*db, s, make("msg_x", "S/T9", 1));
  BOOST_TEST(ids(s.take_due(0, 10)) == (names{"msg_1", "msg_x"}));
  s.complete(testing::result("msg_1", 500), 1);  // retried: msg_2 must not overtake it
  s.complete(testing::result("msg_x", 200), 1);
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_1"}));
  auto dead = s.complete(testing::result("msg_1", 500, 2), far);  // max_attempts = 2: dead letter
  BOOST_REQUIRE(dead);
  BOOST_TEST((dead->kind == outcome_kind::dead_lettered));
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_2"}));
}

BOOST_FIXTURE_TEST_CASE(a_restart_resumes_each_key_at_its_lowest_sequence, fixture) {
  // Ids sort against the sequence, so the spool scan (key order) meets the later deliveries first.
  for (int i = 1; i <= 5; ++i) persist(*db, make("msg_" + std::to_string(9 - i), "S/T1", i));
  persist(*db, make("msg_0", "S/T2", 2));
  persist(*db, make("msg_00", "S/T2", 1));
  deliverer::schedule s(db, settings());
  BOOST_TEST(s.load() == 7u);
  BOOST_TEST(ids(s.take_due(0, 10)) == (names{"msg_8", "msg_00"}));
  std::vector<std::string> order;
  for (int round = 0; round < 10 && s.pending() > 0; ++round) {
    for (const auto& d : s.take_due(far, 10)) order.push_back(d.id);
    if (round == 0) {
      s.complete(testing::result("msg_8", 200), 1);
      s.complete(testing::result("msg_00", 200), 1);
      continue;
    }
    for (const auto& id : order) s.complete(testing::result(id, 200), 1);  // unknown ids are ignored
  }
  BOOST_TEST(order == (names{"msg_7", "msg_0", "msg_6", "msg_5", "msg_4"}));
}

BOOST_FIXTURE_TEST_CASE(none_and_unnumbered_records_wait_for_nothing, fixture) {
  deliverer::schedule none(db, settings(config::ordering_mode::none));
  put_pending(*db, none, make("msg_1", "S/T1", 1));
  put_pending(*db, none, make("msg_2", "S/T1", 2));
  BOOST_TEST(none.take_due(0, 10).size() == 2u);
  BOOST_TEST(none.keys_waiting() == 0u);
  // Written before ordering existed: no key, sequence 0.
  deliverer::schedule task(db, settings());
  put_pending(*db, task, make("msg_old1", "", 0));
  put_pending(*db, task, make("msg_old2", "", 0));
  BOOST_TEST(task.take_due(0, 10).size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_replayed_older_delivery_waits_for_the_head_then_goes_next, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_3", "S/T1", 3));
  put_pending(*db, s, make("msg_4", "S/T1", 4));
  BOOST_TEST(ids(s.take_due(0, 10)) == (names{"msg_3"}));
  auto replayed = make("msg_2", "S/T1", 2);  // a dead letter put back by --replay
  replayed.replay = true;
  put_pending(*db, s, replayed);
  BOOST_TEST(s.take_due(far, 10).empty());
  s.complete(testing::result("msg_3", 200), 1);
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_2"}));  // lowest sequence behind the head
  s.complete(testing::result("msg_2", 200), 1);
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_4"}));
}

BOOST_FIXTURE_TEST_CASE(dry_run_completion_releases_the_next_of_the_key, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_1", "S/T1", 1));
  put_pending(*db, s, make("msg_2", "S/T1", 2));
  auto first = s.take_due(0, 10);
  BOOST_REQUIRE(first.size() == 1u);
  s.complete_dry_run(first[0], 0);
  BOOST_TEST(ids(s.take_due(0, 10)) == (names{"msg_2"}));
}

// Past 4096 slots the schedule compacts its arrays (slots are renumbered): waiting deliveries must follow.
BOOST_FIXTURE_TEST_CASE(order_survives_compaction_of_a_large_backlog, fixture) {
  deliverer::schedule s(db, settings());
  const int n = 6000;
  for (int i = 0; i < n; ++i)
    put_pending(*db, s, make("msg_k" + std::to_string(i), "S/K" + std::to_string(i), 1));
  for (int i = 1; i <= 3; ++i) put_pending(*db, s, make("msg_z" + std::to_string(i), "S/Z", i));
  auto due = s.take_due(0, n + 10);
  BOOST_TEST(due.size() == size_t(n + 1));  // every K head and Z's first
  for (const auto& d : due)
    if (d.id != "msg_z1") s.complete(testing::result(d.id, 200), 1);  // shrinks to a quarter: compaction
  BOOST_TEST(s.pending() == 3u);
  s.complete(testing::result("msg_z1", 200), 1);
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_z2"}));
  s.complete(testing::result("msg_z2", 200), 1);
  BOOST_TEST(ids(s.take_due(far, 10)) == (names{"msg_z3"}));
}
