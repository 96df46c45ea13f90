#pragma once
// The whole pipeline under a real supervisor (spawn_supervisor): a temp repo and store, one subscription
// "one" pointed at a loopback receiver. Most stages are detached, so the pipeline runs on the normal
// scheduler and the tests wait for effects they can see, each with a deadline, never for time to pass:
//   - a webhook at the receiver (condition variable): an event reached the router, the router the deliverer;
//   - a reply from the supervisor (wire_atom request): it answers only between two messages, so a request
//     sent after an effect of one of its handlers sees that handler's changes;
//   - down messages of monitored actors.
// A restarted router shows itself by routing what it found in evt/ at start: an evt/ record written after
// the previous router started (that router only reads evt/ at its start) can reach the receiver only through
// the replacement.
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <map>
#include <memory>

#include "actors/supervisor/supervisor_actor.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/loopback_http.hpp"
#include "tests/support/spool_records.hpp"
#include "tests/support/temp_dir.hpp"

namespace spec_notify::testing {

struct pipeline {
  temp_dir dir;
  loopback_http receiver;  // outlives the actor system: workers may still be posting while it stops
  store::db_ptr db;
  config::settings settings;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self;
  spool_actor spool;  // as serve: one for the fixture's life, across supervisor restarts
  supervisor_actor sup;

  pipeline() {
    register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    self = std::make_unique<caf::scoped_actor>(*sys, true);
    auto opened = store::db::open((dir / "state").string());
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    db = std::move(*opened);
    dir.save("repo/SPEC.md", "| ID | Task | Status |\n|---|---|---|\n| T1 | a | Done |\n");
    settings.repo = dir / "repo";
    settings.state_dir = dir / "state";
    settings.evidence_dir = dir / "repo/evidence";
    config::subscription_settings sub;
    sub.name = "one";
    sub.url = receiver.url();
    sub.secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    settings.subscriptions.push_back(sub);
  }
  ~pipeline() {
    // A test that failed half-way: stop without checking (a destructor must not throw); the actor system's
    // destructor waits until every stage is down.
    if (sup) (*self)->send_exit(sup, caf::exit_reason::user_shutdown);
    if (sup) await_down_quietly(sup.address());
    if (spool) static_cast<void>(spool::stop_spool(*sys, spool, std::chrono::seconds(10)));
    spool = nullptr;  // a detached actor's thread ends only once the last handle to it is gone
    self.reset();
    sys.reset();  // waits for every stage
  }

  void start(int max_restarts = 10) {
    if (!spool) spool = spool::spawn_spool(*sys, db);
    sup = supervisor::spawn_supervisor(*sys, settings, db, spool, max_restarts);
    (*self)->monitor(sup);
  }

  // user_shutdown, as serve sends it; returns the supervisor's exit reason.
  caf::error stop() {
    (*self)->send_exit(sup, caf::exit_reason::user_shutdown);
    return await_down(sup);
  }

  pipeline_handles ask_wiring() {
    pipeline_handles w;
    (*self)
        ->request(sup, std::chrono::seconds(10), wire_atom::value)
        .receive([&](const pipeline_handles& x) { w = x; },
                 [&](caf::error& e) { BOOST_FAIL(sys->render(e)); });
    return w;
  }

  // Waits for the down message of `a` (monitored before); returns its exit reason. Down messages of other
  // monitored actors that arrive meanwhile are kept for a later call.
  caf::error await_down(const caf::actor_addr& addr) {
    if (!await_down_quietly(addr)) BOOST_FAIL("no down message within 10 s");
    if (addr == sup.address()) sup = nullptr;
    return downs[addr];
  }
  // The same without failing (for the destructor): false when it did not come within 10 s.
  bool await_down_quietly(const caf::actor_addr& addr) {
    for (bool timed_out = false; !downs.count(addr) && !timed_out;)
      (*self)->receive([&](caf::down_msg& dm) { downs[dm.source] = dm.reason; },
                       caf::after(std::chrono::seconds(10)) >> [&] { timed_out = true; });
    return downs.count(addr) > 0;
  }
  template <class Handle>
  caf::error await_down(const Handle& a) {
    return await_down(a.address());
  }
  std::map<caf::actor_addr, caf::error> downs;

  // Kills `stage` and returns once it is gone.
  template <class Handle>
  void crash(const Handle& stage) {
    (*self)->monitor(stage);
    (*self)->send_exit(stage, caf::exit_reason::kill);
    await_down(stage);
  }

  // Sends an event for task `task` to `router` (persisted first, as the differ does) and waits for its
  // webhook: proves this router is initialised and wired to a live deliverer.
  void deliver_through(const router_actor& router, const std::string& task) {
    const event e = task_event(task);
    put_event(*db, e);
    (*self)->send(router, event_batch{{e}});
    BOOST_REQUIRE_MESSAGE(receiver.wait_for_body("\"" + task + "\""), "no webhook for " << task);
  }
};

}  // namespace spec_notify::testing
