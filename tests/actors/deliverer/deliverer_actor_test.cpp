#define BOOST_TEST_MODULE deliverer_actor
// The deliverer actor (spawn_deliverer) with a real store. Dry-run subscriptions never hand work to the
// detached http workers, so those cases run on CAF's deterministic scheduler: every message is delivered by
// run() on the test thread and the evidence / dead-letter stages are scoped actors whose mailboxes the test
// reads afterwards. Real HTTP needs the detached workers (their replies would enter the deterministic
// scheduler from another thread), so those cases use the normal scheduler and wait on the outcomes the
// deliverer reports, each with a deadline.
#include "actors/deliverer/deliverer_actor.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <set>

#include "messages/admin.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/deterministic_system.hpp"
#include "tests/support/loopback_http.hpp"
#include "tests/support/spool_records.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::pending_delivery;

namespace {

config::subscription_settings subscription(const std::string& name, const std::string& url) {
  config::subscription_settings s;
  s.name = name;
  s.url = url;
  s.secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
  s.max_in_flight = 2;
  return s;
}

config::subscription_settings dry_run(const std::string& name) {
  auto s = subscription(name, "http://127.0.0.1:9/never-called");
  s.dry_run = true;
  return s;
}

// Base classes are destroyed in reverse: the actors stop before the store closes.
struct deterministic : testing::temp_store, testing::deterministic_system {
  caf::scoped_actor dead_letters{sys, true};

  deliverer_actor spawn(const config::subscription_settings& sub) {
    auto d = deliverer::spawn_deliverer(self.ptr(), db, spool::direct(db), sub);
    spawned.push_back(d.address());
    self->send(d, wire_atom::value, caf::actor_cast<evidence_actor>(self),
               caf::actor_cast<dead_letter_actor>(dead_letters));
    run();
    return d;
  }

  // Persists the deliveries (as the router does before sending) and hands them over in one batch.
  void hand_over(const deliverer_actor& d, const std::string& sub, std::initializer_list<const char*> tasks) {
    delivery_batch batch;
    batch.subscription = sub;
    for (const char* t : tasks) {
      const auto d = pending_delivery(sub, t);
      testing::put_delivery(*db, d);
      batch.items.push_back(ref_to(d));
    }
    self->send(d, std::move(batch));
    run();
  }

  subscription_status status(const deliverer_actor& d) {
    subscription_status s;
    auto pending = self->request(d, caf::infinite, status_atom::value);
    run();
    pending.receive([&](subscription_status& x) { s = std::move(x); },
                    [&](caf::error& e) { BOOST_FAIL(sys.render(e)); });
    return s;
  }

  std::vector<std::string> reported_tasks() {
    std::vector<std::string> out;
    for (const auto& o : take_all<delivery_outcome>()) {
      BOOST_TEST((o.kind == outcome_kind::dry_run));
      out.push_back(o.task_id);
    }
    return out;
  }
};

using tasks = std::vector<std::string>;

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_dry_run_subscription_completes_every_delivery_and_reports_it_as_evidence,
                        deterministic) {
  auto d = spawn(dry_run("dry"));
  hand_over(d, "dry", {"T1", "T2", "T3"});
  auto outcomes = take_all<delivery_outcome>();
  BOOST_REQUIRE_EQUAL(outcomes.size(), 3u);
  for (const auto& o : outcomes) {
    BOOST_TEST((o.kind == outcome_kind::dry_run));
    BOOST_TEST(o.subscription == "dry");
    BOOST_TEST(o.delivery_id == "msg_dry_" + o.task_id);
    BOOST_TEST(o.attempt.attempt == 1);
  }
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 0u);  // consumed from the spool
  BOOST_TEST(testing::take_all<delivery_outcome>(dead_letters).empty());  // nothing for the dead letters
  const auto s = status(d);
  BOOST_TEST(s.pending == 0);
  BOOST_TEST(s.in_flight == 0);
  BOOST_TEST(s.delivered == 0);  // a dry run is not a delivery
  BOOST_TEST(s.failed_attempts == 0);
}

BOOST_FIXTURE_TEST_CASE(status_reports_the_subscription_its_limits_and_what_is_pending, deterministic) {
  auto sub = dry_run("dry");
  sub.max_in_flight = 3;
  auto d = spawn(sub);
  self->send(d, pause_atom::value);
  hand_over(d, "dry", {"T1", "T2"});
  const auto s = status(d);
  BOOST_TEST(s.name == "dry");
  BOOST_TEST(s.max_in_flight == 3);
  BOOST_TEST(s.pending == 2);
  BOOST_TEST(s.in_flight == 0);
  BOOST_TEST(s.paused);
  BOOST_TEST(s.disabled == "");
  BOOST_TEST(s.circuit == "");  // no breaker configured
}

BOOST_FIXTURE_TEST_CASE(a_batch_naming_another_subscription_is_ignored, deterministic) {
  auto d = spawn(dry_run("dry"));
  self->send(d, pause_atom::value);
  delivery_batch wrong;
  wrong.subscription = "other";
  const auto other = pending_delivery("other", "T1");
  testing::put_delivery(*db, other);
  wrong.items.push_back(ref_to(other));
  self->send(d, std::move(wrong));
  run();
  BOOST_TEST(status(d).pending == 0);
  hand_over(d, "dry", {"T2"});
  BOOST_TEST(status(d).pending == 1);
  std::string text;
  BOOST_TEST(db->get(store::delivery_key(other), text));  // left for its own deliverer
}

BOOST_FIXTURE_TEST_CASE(a_paused_subscription_holds_its_deliveries_until_resumed, deterministic) {
  auto d = spawn(dry_run("dry"));
  self->send(d, pause_atom::value);
  run();
  std::string flag;
  BOOST_TEST(db->get(store::paused_key("dry"), flag));  // a restarted deliverer stays paused
  hand_over(d, "dry", {"T1", "T2"});
  BOOST_TEST(reported_tasks().empty());
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 2u);

  self->send(d, resume_atom::value);
  run();
  BOOST_TEST(reported_tasks() == (tasks{"T1", "T2"}), boost::test_tools::per_element());
  BOOST_TEST(!db->get(store::paused_key("dry"), flag));
  BOOST_TEST(status(d).paused == false);
}

BOOST_FIXTURE_TEST_CASE(a_restarted_deliverer_resumes_the_spool_but_stays_paused, deterministic) {
  store::batch b;
  b.put(store::paused_key("dry"), "1");
  BOOST_REQUIRE(db->write(b).ok());
  testing::put_delivery(*db, pending_delivery("dry", "T7"));
  auto d = spawn(dry_run("dry"));
  BOOST_TEST(reported_tasks().empty());
  BOOST_TEST(status(d).pending == 1);
  self->send(d, resume_atom::value);
  run();
  BOOST_TEST(reported_tasks() == (tasks{"T7"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_disabled_subscription_keeps_its_deliveries_until_enabled, deterministic) {
  store::batch b;
  b.put(store::disabled_key("dry"), "HTTP 410 Gone");
  BOOST_REQUIRE(db->write(b).ok());
  testing::put_delivery(*db, pending_delivery("dry", "T1"));
  auto d = spawn(dry_run("dry"));
  hand_over(d, "dry", {"T2"});
  BOOST_TEST(reported_tasks().empty());
  auto s = status(d);
  BOOST_TEST(s.disabled == "HTTP 410 Gone");
  BOOST_TEST(s.pending == 2);

  self->send(d, enable_atom::value);
  run();
  BOOST_TEST(reported_tasks() == (tasks{"T1", "T2"}), boost::test_tools::per_element());
  std::string reason;
  BOOST_TEST(!db->get(store::disabled_key("dry"), reason));
  s = status(d);
  BOOST_TEST(s.disabled == "");
  BOOST_TEST(s.pending == 0);
}

BOOST_FIXTURE_TEST_CASE(enable_leaves_an_operator_pause_in_place, deterministic) {
  store::batch b;
  b.put(store::disabled_key("dry"), "HTTP 410 Gone");
  BOOST_REQUIRE(db->write(b).ok());
  auto d = spawn(dry_run("dry"));
  self->send(d, pause_atom::value);
  hand_over(d, "dry", {"T1"});
  self->send(d, enable_atom::value);
  run();
  BOOST_TEST(reported_tasks().empty());
  auto s = status(d);
  BOOST_TEST(s.disabled == "");
  BOOST_TEST(s.paused);
  self->send(d, resume_atom::value);
  run();
  BOOST_TEST(reported_tasks() == (tasks{"T1"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_delivery_already_known_is_not_completed_twice, deterministic) {
  auto d = spawn(dry_run("dry"));
  self->send(d, pause_atom::value);
  hand_over(d, "dry", {"T1"});
  hand_over(d, "dry", {"T1"});  // a restarted router re-sending what the deliverer loaded
  BOOST_TEST(status(d).pending == 1);
  self->send(d, resume_atom::value);
  run();
  BOOST_TEST(reported_tasks() == (tasks{"T1"}), boost::test_tools::per_element());
}

// --- Real HTTP (normal scheduler: the detached workers answer from their own threads) ---

namespace {

struct threaded : testing::temp_store {
  testing::loopback_http server;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> evidence, dead_letters;
  deliverer_actor d;

  threaded() {
    register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    evidence = std::make_unique<caf::scoped_actor>(*sys, true);
    dead_letters = std::make_unique<caf::scoped_actor>(*sys, true);
  }
  ~threaded() {
    if (d) {
      (*evidence)->send_exit(d, caf::exit_reason::kill);
      (*evidence)->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds(10)) >> [] {});
    }
    d = nullptr;
    evidence.reset();
    dead_letters.reset();
    sys.reset();  // waits for the workers
  }

  void spawn(const config::subscription_settings& sub) {
    d = deliverer::spawn_deliverer(evidence->ptr(), db, spool::direct(db), sub);
    (*evidence)->send(d, wire_atom::value, caf::actor_cast<evidence_actor>(*evidence),
                      caf::actor_cast<dead_letter_actor>(*dead_letters));
  }

  void hand_over(const std::string& sub, std::initializer_list<const char*> tasks) {
    delivery_batch batch;
    batch.subscription = sub;
    for (const char* t : tasks) {
      const auto d = pending_delivery(sub, t);
      testing::put_delivery(*db, d);
      batch.items.push_back(ref_to(d));
    }
    (*evidence)->send(d, std::move(batch));
  }

  // The next outcome reported to `to`, failing the test when none comes within 10 s.
  delivery_outcome next_outcome(caf::scoped_actor& to) {
    delivery_outcome out;
    to->receive([&](delivery_outcome& o) { out = std::move(o); },
                caf::after(std::chrono::seconds(10)) >> [] { BOOST_FAIL("no outcome within 10 s"); });
    return out;
  }

  subscription_status status() {
    subscription_status s;
    (*evidence)
        ->request(d, std::chrono::seconds(10), status_atom::value)
        .receive([&](subscription_status& x) { s = std::move(x); },
                 [&](caf::error& e) { BOOST_FAIL(sys->render(e)); });
    return s;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(deliveries_to_a_live_endpoint_are_sent_counted_and_reported, threaded) {
  spawn(subscription("live", server.url()));
  hand_over("live", {"T1", "T2", "T3"});
  std::set<std::string> delivered;
  for (int i = 0; i < 3; ++i) {
    const auto o = next_outcome(*evidence);
    BOOST_TEST((o.kind == outcome_kind::delivered));
    BOOST_TEST(o.attempt.status_code == 200);
    delivered.insert(o.delivery_id);
  }
  BOOST_TEST(delivered == (std::set<std::string>{"msg_live_T1", "msg_live_T2", "msg_live_T3"}),
             boost::test_tools::per_element());
  std::set<std::string> webhook_ids;
  for (const auto& r : server.requests()) webhook_ids.insert(r.webhook_id);
  BOOST_TEST(webhook_ids == delivered, boost::test_tools::per_element());
  const auto s = status();
  BOOST_TEST(s.delivered == 3);
  BOOST_TEST(s.failed_attempts == 0);
  BOOST_TEST(s.pending == 0);
  BOOST_TEST(s.in_flight == 0);
  BOOST_TEST(s.latency_buckets.size() > 0u);
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 0u);
  BOOST_TEST(testing::take_all<delivery_outcome>(*dead_letters).empty());
}

BOOST_FIXTURE_TEST_CASE(a_delivery_out_of_attempts_goes_to_the_dead_letters_and_is_counted, threaded) {
  server.status = 500;
  auto sub = subscription("failing", server.url());
  sub.retry.max_attempts = 1;
  spawn(sub);
  hand_over("failing", {"T1"});
  const auto o = next_outcome(*evidence);
  BOOST_TEST((o.kind == outcome_kind::dead_lettered));
  BOOST_TEST(o.attempt.status_code == 500);
  const auto dead = next_outcome(*dead_letters);
  BOOST_TEST(dead.delivery_id == "msg_failing_T1");
  const auto s = status();
  BOOST_TEST(s.delivered == 0);
  BOOST_TEST(s.failed_attempts == 1);
  BOOST_TEST(s.dead_lettered == 1);
  BOOST_TEST(s.pending == 0);
  BOOST_TEST(testing::count_records(*db, store::dead_prefix) == 1u);
  BOOST_TEST(testing::count_records(*db, store::delivery_prefix) == 0u);
}
