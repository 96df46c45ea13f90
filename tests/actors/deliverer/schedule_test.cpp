#define BOOST_TEST_MODULE schedule
#include "actors/deliverer/schedule.hpp"

#include <boost/test/unit_test.hpp>
#include <set>

#include "actors/store/records.hpp"
#include "tests/support/spool.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::ids;
using testing::persist;
using testing::put_pending;

namespace {

delivery make(const std::string& id, int64_t next_at_ms, const std::string& sub = "hooks") {
  delivery d;
  d.id = id;
  d.subscription = sub;
  d.event_id = "evt_" + id;
  d.event_type = "spec-kit.task.transitioned";
  d.body = "{\"id\":\"" + id + "\"}";
  d.next_at_ms = next_at_ms;
  return d;
}

config::subscription_settings settings() {
  config::subscription_settings sub;
  sub.name = "hooks";
  sub.retry.max_attempts = 3;
  return sub;
}

using fixture = testing::temp_store;

}  // namespace

BOOST_FIXTURE_TEST_CASE(due_order_is_earliest_first_then_arrival_order, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_c", 20));
  put_pending(*db, s, make("msg_a", 10));
  put_pending(*db, s, make("msg_b", 20));
  put_pending(*db, s, make("msg_later", 1000));
  BOOST_TEST(s.pending() == 4u);
  BOOST_TEST(s.next_due() == 10);
  BOOST_TEST(!s.add(ref_to(make("msg_b", 0))));  // already known (restart overlap)
  auto due = s.take_due(100, 10);
  BOOST_TEST(ids(due) == (std::vector<std::string>{"msg_a", "msg_c", "msg_b"}));
  BOOST_TEST(due[0].body == "{\"id\":\"msg_a\"}");  // read back from the spool
  BOOST_TEST(s.in_flight() == 3u);
  BOOST_TEST(s.next_due() == 1000);
  BOOST_TEST(!s.add(ref_to(make("msg_a", 0))));  // in flight is known too
}

BOOST_FIXTURE_TEST_CASE(outcomes_remove_retry_and_dead_letter, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_ok", 0));
  put_pending(*db, s, make("msg_retry", 0));
  BOOST_TEST(s.take_due(5, 10).size() == 2u);
  auto ok = s.complete(testing::result("msg_ok", 200), 10);
  BOOST_REQUIRE(ok);
  BOOST_TEST((ok->kind == outcome_kind::delivered));
  std::string text;
  BOOST_TEST(!db->get(store::delivery_key("hooks", "msg_ok"), text));
  auto retry = s.complete(testing::result("msg_retry", 503), 10);
  BOOST_REQUIRE(retry);
  BOOST_TEST((retry->kind == outcome_kind::retrying));
  BOOST_TEST(s.pending() == 1u);
  BOOST_TEST(s.in_flight() == 0u);
  BOOST_TEST(s.next_due() >= 10);
  BOOST_TEST(s.next_due() < INT64_MAX);
  // Attempts 2 and 3 fail too: max_attempts = 3 moves it to the dead letters.
  for (int attempt = 2; attempt <= 3; ++attempt) {
    auto due = s.take_due(INT64_MAX, 10);
    BOOST_REQUIRE(due.size() == 1u);
    BOOST_TEST(due[0].attempts == attempt - 1);
    s.complete(testing::result("msg_retry", 0, attempt), 20);
  }
  BOOST_TEST(s.pending() == 0u);
  BOOST_TEST(s.next_due() == INT64_MAX);
  BOOST_TEST(db->get(store::dead_key("hooks", "msg_retry"), text));
  BOOST_TEST(!db->get(store::delivery_key("hooks", "msg_retry"), text));
}

BOOST_FIXTURE_TEST_CASE(a_delivery_gone_from_the_spool_is_skipped, fixture) {
  deliverer::schedule s(db, settings());
  put_pending(*db, s, make("msg_gone", 0));
  put_pending(*db, s, make("msg_here", 0));
  store::batch b;
  b.del(store::delivery_key("hooks", "msg_gone"));
  BOOST_REQUIRE(db->write(b).ok());
  BOOST_TEST(ids(s.take_due(0, 10)) == std::vector<std::string>{"msg_here"});
  BOOST_TEST(s.pending() == 1u);
}

BOOST_FIXTURE_TEST_CASE(load_reads_only_this_subscription_and_410_pauses_until_enable, fixture) {
  {
    store::batch b;
    for (int i = 0; i < 5; ++i) {
      const auto d = make("msg_" + std::to_string(i), 50 + i);
      b.put(store::delivery_key(d), store::encode(d));
    }
    const auto other = make("msg_other", 0, "other");
    b.put(store::delivery_key(other), store::encode(other));
    BOOST_REQUIRE(db->write(b).ok());
  }
  deliverer::schedule s(db, settings());
  BOOST_TEST(s.load() == 5u);
  BOOST_TEST(s.next_due() == 50);
  auto due = s.take_due(50, 1);
  BOOST_REQUIRE(due.size() == 1u);
  auto gone = s.complete(testing::result(due[0].id, 410), 60);
  BOOST_REQUIRE(gone);
  BOOST_TEST((gone->kind == outcome_kind::disabled));
  BOOST_TEST(s.disabled());
  deliverer::schedule again(db, settings());
  BOOST_TEST(again.load() == 5u);
  BOOST_TEST(again.disabled());  // the 410 flag survives a restart
  again.enable(0);
  BOOST_TEST(!again.disabled());
  BOOST_TEST(again.next_due() == 0);  // everything became due now
  BOOST_TEST(again.take_due(0, 10).size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(a_large_backlog_survives_churn_and_drains_completely, fixture) {
  // Exercises the id index (growth, deletion by backward shift) and the compaction of the id storage.
  deliverer::schedule s(db, settings());
  constexpr int n = 20000;
  {
    store::batch b;
    for (int i = 0; i < n; ++i) {
      auto d = make("msg_backlog_" + std::to_string(i), i % 7);
      b.put(store::delivery_key(d), store::encode(d));
    }
    BOOST_REQUIRE(db->write(b).ok());
  }
  BOOST_TEST(s.load() == static_cast<size_t>(n));
  std::set<std::string> seen;
  int64_t last_due = -1;
  size_t rounds = 0;
  while (s.pending() > 0) {
    auto due = s.take_due(INT64_MAX, 97);
    BOOST_REQUIRE(!due.empty());
    for (const auto& d : due) {
      BOOST_TEST(d.next_at_ms >= last_due);  // earliest first across the whole drain
      last_due = d.next_at_ms;
      BOOST_TEST(seen.insert(d.id).second);
      BOOST_TEST(!s.add(ref_to(make(d.id, 0))));  // still known while in flight
      s.complete(testing::result(d.id, 200), 0);
    }
    if (++rounds % 50 == 0 && s.pending() > 0) {
      // Ids still pending stay known after index deletions and compactions.
      for (int i = 0; i < n; ++i) {
        const std::string id = "msg_backlog_" + std::to_string(i);
        if (seen.count(id)) continue;
        BOOST_TEST(!s.add(ref_to(make(id, 0))));
        break;
      }
    }
  }
  BOOST_TEST(seen.size() == static_cast<size_t>(n));
  BOOST_TEST(s.next_due() == INT64_MAX);
  size_t left = 0;
  db->scan("dlv/", [&](const std::string&, const std::string&) {
    ++left;
    return true;
  });
  BOOST_TEST(left == 0u);
  put_pending(*db, s, make("msg_after", 3));  // usable again after releasing everything
  BOOST_TEST(ids(s.take_due(3, 10)) == std::vector<std::string>{"msg_after"});
}

// The spool is keyed by subscription (dlv/<name>/<id>): a deliverer reads its own key range only. Proven
// by a record filed under another subscription's range that claims to be ours: a scan of all of dlv/
// would load it, a scan of dlv/hooks/ cannot see it. Names that extend or shorten ours are not ours either.
BOOST_FIXTURE_TEST_CASE(load_scans_only_its_own_subscriptions_key_range, fixture) {
  {
    store::batch b;
    const auto mine = make("msg_mine", 5);
    b.put(store::delivery_key(mine), store::encode(mine));
    b.put(store::delivery_key("other", "msg_misfiled"), store::encode(make("msg_misfiled", 1)));
    b.put(store::delivery_key("hooks-2", "msg_longer"), store::encode(make("msg_longer", 1, "hooks-2")));
    b.put(store::delivery_key("hook", "msg_shorter"), store::encode(make("msg_shorter", 1, "hook")));
    BOOST_REQUIRE(db->write(b).ok());
  }
  deliverer::schedule s(db, settings());
  BOOST_TEST(s.load() == 1u);
  BOOST_TEST(ids(s.take_due(10, 10)) == std::vector<std::string>{"msg_mine"});
}

BOOST_FIXTURE_TEST_CASE(an_operator_pause_survives_a_restart_until_resumed, fixture) {
  {
    deliverer::schedule s(db, settings());
    s.load();
    BOOST_TEST(!s.paused());
    s.set_paused(true);
  }
  {
    deliverer::schedule s(db, settings());  // a restarted deliverer (or daemon)
    s.load();
    BOOST_TEST(s.paused());
    s.set_paused(false);
  }
  deliverer::schedule s(db, settings());
  s.load();
  BOOST_TEST(!s.paused());
}
