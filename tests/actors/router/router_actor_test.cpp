#define BOOST_TEST_MODULE router_actor
// The router actor (spawn_router) with a real store and a real spool actor. Most cases run on the normal
// scheduler with a detached spool; the router's deliverers are scoped actors, and the message the router
// sends them is the synchronisation point: the spool has written dlv/ and the removal of evt/ BEFORE the
// router sends, so once a batch has arrived the store can be read without a race. Messages from one sender
// arrive in order, which lets a test show that a deliverer received nothing earlier. The last cases run the
// router and a scheduled spool on CAF's deterministic scheduler (tests/support/deterministic_system.hpp).
#include "actors/router/router_actor.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "messages/batches.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/deterministic_system.hpp"
#include "tests/support/spool_records.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::task_event;

namespace {

config::subscription_settings subscription(const std::string& name, std::vector<std::string> statuses) {
  config::subscription_settings s;
  s.name = name;
  s.url = "http://127.0.0.1:9/" + name;
  s.statuses = std::move(statuses);
  return s;
}

std::vector<std::string> task_ids(const std::vector<delivery>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.task_id);
  return out;
}

using tasks = std::vector<std::string>;

struct fixture : testing::temp_store {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self, done, blocked;  // test, deliverer "done", deliverer "blocked"
  router_actor router;
  spool_actor spool;

  fixture() {
    register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    self = std::make_unique<caf::scoped_actor>(*sys, true);
    done = std::make_unique<caf::scoped_actor>(*sys, true);
    blocked = std::make_unique<caf::scoped_actor>(*sys, true);
    spool = spool::spawn_spool(*sys, db);
  }
  ~fixture() {
    if (router) {
      (*self)->send_exit(router, caf::exit_reason::kill);
      (*self)->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds(10)) >> [] {});
    }
    router = nullptr;
    static_cast<void>(spool::stop_spool(*sys, spool, std::chrono::seconds(10)));
    spool = nullptr;  // a detached actor's thread ends once its last handle is gone
    self.reset();
    done.reset();
    blocked.reset();
    sys.reset();
  }

  void spawn() {
    router = router::spawn_router(self->ptr(), db, spool,
                                  {subscription("done", {"Done"}), subscription("blocked", {"Blocked"})});
  }
  void wire() {
    deliverer_map w;
    w["done"] = caf::actor_cast<deliverer_actor>(*done);
    w["blocked"] = caf::actor_cast<deliverer_actor>(*blocked);
    (*self)->send(router, wire_atom::value, w);
  }
  // The router reads evt/ once, before its first message: an event persisted while it starts may be routed
  // from that scan instead of from its batch (once either way). Tests that check how a batch is split wait
  // for a sentinel (status Done) first, taken from each deliverer in `takers`.
  void settle(std::initializer_list<caf::scoped_actor*> takers) {
    emit({task_event("S0", "Done")});
    for (auto* t : takers) BOOST_REQUIRE(task_ids(next_batch(*t)) == (tasks{"S0"}));
  }
  // Persists the events (as the differ does before sending) and sends them as one batch.
  void emit(std::vector<event> events) {
    for (const auto& e : events) testing::put_event(*db, e);
    (*self)->send(router, event_batch{std::move(events)});
  }

  // The next batch `deliverer` receives, failing the test when none comes within 10 s. The batch carries
  // references: each record is read back from the spool (it is durable before it is sent), and the reference
  // must agree with it.
  std::vector<delivery> next_batch(caf::scoped_actor& deliverer) {
    const std::string sub = &deliverer == blocked.get() ? "blocked" : "done";  // a replacement is "done"
    std::vector<delivery_ref> refs;
    deliverer->receive(
        [&](delivery_batch& b) { refs = std::move(b.items); },
        caf::after(std::chrono::seconds(10)) >> [] { BOOST_FAIL("no delivery_batch in 10 s"); });
    std::vector<delivery> out;
    for (const auto& r : refs) {
      std::string text;
      delivery d;
      BOOST_REQUIRE_MESSAGE(db->get(store::delivery_key(sub, r.id), text) && store::decode(text, d),
                            r.id << " is not in dlv/" << sub << "/");
      BOOST_TEST(r.sequence == d.sequence);
      BOOST_TEST(r.ordering_key == d.ordering_key);
      BOOST_TEST(r.next_at_ms == d.next_at_ms);
      out.push_back(std::move(d));
    }
    return out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(an_event_batch_goes_to_the_matching_deliverer_as_durable_deliveries, fixture) {
  spawn();
  wire();
  settle({done.get()});
  emit({task_event("T1", "Done"), task_event("T2", "Done")});
  const auto got = next_batch(*done);
  BOOST_TEST(task_ids(got) == (tasks{"T1", "T2"}), boost::test_tools::per_element());
  for (const auto& d : got) {
    BOOST_TEST(d.subscription == "done");
    BOOST_TEST(d.event_id == "evt_" + d.task_id);
    BOOST_TEST(d.attempts == 0);
    BOOST_TEST(d.sequence == 1);  // first delivery of its task key
    BOOST_TEST(d.body.find("\"" + d.task_id + "\"") != std::string::npos);
    std::string text;
    BOOST_TEST(db->get(store::delivery_key(d), text));  // persisted before it was sent
  }
  BOOST_TEST(testing::count_records(*db, store::event_prefix) == 0u);     // evt/ consumed in the same batch
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 3u);  // S0, T1, T2

  // The other deliverer's first batch is this one: it got nothing from the Done events.
  emit({task_event("T3", "Blocked")});
  BOOST_TEST(task_ids(next_batch(*blocked)) == (tasks{"T3"}), boost::test_tools::per_element());
  BOOST_TEST(testing::count_records(*db, store::event_prefix) == 0u);
}

BOOST_FIXTURE_TEST_CASE(one_event_taken_by_two_subscriptions_becomes_one_delivery_each, fixture) {
  router = router::spawn_router(
      self->ptr(), db, spool, {subscription("done", {"Done"}), subscription("blocked", {"Done", "Blocked"})});
  wire();
  settle({done.get(), blocked.get()});
  emit({task_event("T1", "Done")});
  const auto a = next_batch(*done);
  const auto b = next_batch(*blocked);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  BOOST_REQUIRE_EQUAL(b.size(), 1u);
  BOOST_TEST(a[0].subscription == "done");
  BOOST_TEST(b[0].subscription == "blocked");
  BOOST_TEST(a[0].id != b[0].id);  // one webhook-id per receiver
  BOOST_TEST(a[0].event_id == b[0].event_id);
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 4u);  // S0 and T1, for each
}

BOOST_FIXTURE_TEST_CASE(an_event_no_subscription_takes_is_consumed_without_a_delivery, fixture) {
  spawn();
  wire();
  settle({done.get()});
  emit({task_event("T1", "In Progress")});
  emit({task_event("T2", "Done")});
  // The first batch "done" receives holds only T2: T1 went nowhere.
  BOOST_TEST(task_ids(next_batch(*done)) == (tasks{"T2"}), boost::test_tools::per_element());
  BOOST_TEST(testing::count_records(*db, store::event_prefix) == 0u);
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 2u);  // S0, T2
}

BOOST_FIXTURE_TEST_CASE(events_a_stop_left_in_evt_are_routed_once_the_router_is_wired, fixture) {
  testing::put_event(*db, task_event("T9", "Done"));
  spawn();
  wire();
  BOOST_TEST(task_ids(next_batch(*done)) == (tasks{"T9"}), boost::test_tools::per_element());
  BOOST_TEST(testing::count_records(*db, store::event_prefix) == 0u);
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_rewired_router_sends_to_the_new_deliverer, fixture) {
  spawn();
  wire();
  settle({done.get()});
  emit({task_event("T1", "Done")});
  BOOST_TEST(task_ids(next_batch(*done)) == (tasks{"T1"}), boost::test_tools::per_element());
  // The supervisor restarted "done": the new instance gets what follows.
  caf::scoped_actor replacement{*sys, true};
  deliverer_map w;
  w["done"] = caf::actor_cast<deliverer_actor>(replacement);
  w["blocked"] = caf::actor_cast<deliverer_actor>(*blocked);
  (*self)->send(router, wire_atom::value, w);
  emit({task_event("T2", "Done")});
  BOOST_TEST(task_ids(next_batch(replacement)) == (tasks{"T2"}), boost::test_tools::per_element());
}

namespace {

// Router and spool on the deterministic scheduler: nothing runs until run(), so the test sees each step.
struct deterministic : testing::temp_store, testing::deterministic_system {
  caf::scoped_actor done{sys, true};
  spool_actor spool;
  router_actor router;
  deterministic() {
    spool = spool::spawn_spool(sys, db, false);
    spawned.push_back(spool.address());
    router = router::spawn_router(self.ptr(), db, spool, {subscription("done", {"Done"})});
    spawned.push_back(router.address());
    deliverer_map w;
    w["done"] = caf::actor_cast<deliverer_actor>(done);
    self->send(router, wire_atom::value, w);
    run();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(deterministic_deliveries_reach_the_deliverer_only_after_the_spool_wrote_them,
                        deterministic) {
  std::vector<event> events;
  for (int i = 0; i < 5; ++i) events.push_back(task_event("T" + std::to_string(i), "Done"));
  for (const auto& e : events) testing::put_event(*db, e);
  self->send(router, event_batch{events});
  // The router plans its chunk and asks the spool; until the spool has run nothing is written or sent.
  BOOST_REQUIRE(run_once());
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 0u);
  BOOST_TEST(testing::take_all<delivery_batch>(done).empty());
  run();
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 5u);
  BOOST_TEST(testing::count_records(*db, store::event_prefix) == 0u);
  auto batches = testing::take_all<delivery_batch>(done);
  BOOST_REQUIRE(batches.size() == 1u);
  BOOST_TEST(batches[0].items.size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(deterministic_a_routed_event_sent_again_is_not_routed_twice, deterministic) {
  const auto e = task_event("T1", "Done");
  testing::put_event(*db, e);
  self->send(router, event_batch{{e}});
  self->send(router, event_batch{{e}});  // e.g. the start-up scan and the differ's message
  run();
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 1u);
  BOOST_TEST(testing::take_all<delivery_batch>(done).size() == 1u);
}
