#define BOOST_TEST_MODULE fresh_records
// The in-memory hand-over of just-written records from the router to a delivery's first attempt: served
// once, only while young, within a byte budget (oldest dropped first), and the schedule falls back to the
// store on a miss.
#include "actors/spool/fresh_records.hpp"

#include <boost/test/unit_test.hpp>

#include "actors/deliverer/schedule.hpp"
#include "actors/spool/spool_actor.hpp"
#include "tests/support/spool.hpp"
#include "tests/support/spool_records.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::pending_delivery;

BOOST_AUTO_TEST_CASE(a_record_is_served_once_and_only_to_its_subscription) {
  spool::fresh_records f;
  f.put(pending_delivery("one", "T1"), 1000);
  BOOST_TEST(!f.take("two", "msg_one_T1", 1000));
  auto got = f.take("one", "msg_one_T1", 1000);
  BOOST_REQUIRE(got);
  BOOST_TEST(got->task_id == "T1");
  BOOST_TEST(!f.take("one", "msg_one_T1", 1000));  // taken: the next attempt reads the store
  BOOST_TEST(f.size() == 0u);
}

BOOST_AUTO_TEST_CASE(an_old_record_is_not_served_and_old_ones_age_out) {
  spool::fresh_records f(size_t(1) << 20, 100);
  f.put(pending_delivery("one", "T1"), 1000);
  f.put(pending_delivery("one", "T2"), 1000);
  f.put(pending_delivery("one", "T3"), 1150);
  BOOST_TEST(!f.take("one", "msg_one_T1", 1101));  // 101 ms old
  BOOST_TEST(f.size() == 1u);                      // T2 aged out with it; T3 is young
  BOOST_TEST(static_cast<bool>(f.take("one", "msg_one_T3", 1200)));
}

BOOST_AUTO_TEST_CASE(the_byte_budget_drops_the_oldest_first) {
  auto big = [](const std::string& task) {
    auto d = pending_delivery("one", task);
    d.body.assign(4000, 'x');
    return d;
  };
  spool::fresh_records f(10000);
  f.put(big("T1"), 0);
  f.put(big("T2"), 0);
  f.put(big("T3"), 0);  // over 10,000 bytes with T1: T1 goes
  BOOST_TEST(!f.take("one", "msg_one_T1", 0));
  BOOST_TEST(static_cast<bool>(f.take("one", "msg_one_T2", 0)));
  BOOST_TEST(static_cast<bool>(f.take("one", "msg_one_T3", 0)));
  auto huge = big("T4");
  huge.body.assign(20000, 'x');
  f.put(huge, 0);  // larger than the whole budget: never kept
  BOOST_TEST(f.size() == 0u);
}

BOOST_AUTO_TEST_CASE(the_schedule_takes_a_fresh_record_and_reads_the_store_on_a_miss) {
  testing::temp_store store;
  config::subscription_settings sub;
  sub.name = "one";
  sub.url = "http://127.0.0.1:9/";
  auto port = spool::direct(store.db);
  port.fresh = std::make_shared<spool::fresh_records>();
  deliverer::schedule s(store.db, sub, port);
  auto stored = pending_delivery("one", "T1");
  auto other = pending_delivery("one", "T2");
  testing::put_pending(*store.db, s, stored);
  testing::put_pending(*store.db, s, other);
  // Marked so the test can tell where each record came from (the router only ever puts what it wrote).
  auto in_memory = stored;
  in_memory.body = "{\"from\":\"memory\"}";
  port.fresh->put(in_memory, 5);
  auto due = s.take_due(5, 10);
  BOOST_REQUIRE(due.size() == 2u);
  for (const auto& d : due) {
    if (d.id == stored.id) BOOST_TEST(d.body == in_memory.body);
    if (d.id == other.id) BOOST_TEST(d.body == other.body);  // not in memory: read from the store
  }
  BOOST_TEST(port.fresh->size() == 0u);
}
