#pragma once
// An actor system on CAF's deterministic scheduler (caf::scheduler::test_coordinator), for Boost.Test.
// Scheduled (non-detached) actors run only when the test says so, on the test's own thread, one message at
// a time: run() delivers every pending message, run_once() one, trigger_timeouts() fires the pending
// delayed_send()s on the test clock (the wall clock is never consulted by the scheduler).
//
// Why not caf/test/dsl.hpp's test_coordinator_fixture: it reads argc/argv from CAF's own test engine, which
// lives in caf/test/unit_test_impl.hpp (a header that brings its own main() and runner; libcaf_core does not
// contain it), and its expect()/allow() macros report through CAF_CHECK, which dereferences that engine's
// current test: null under Boost.Test. This fixture does the same configuration (scheduler.policy =
// testing) and leaves the checks to Boost.Test.
//
// Limits (CAF 0.17.6): detached actors (differ, watcher, evidence writer, http workers, the spool unless
// spawned scheduled) still get a real thread each. test_coordinator's job queue and test clock are not
// thread-safe, so a test may only put detached actors in such a system when they never send to a scheduled
// actor, never arm a timer and never crash while the test runs the scheduler. A scoped_actor (`self`) is a
// blocking actor: messages to it go to its mailbox directly (thread-safe), so it can stand in for any
// downstream stage.
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <chrono>
#include <vector>

#include "messages/type_ids.hpp"

namespace spec_notify::testing {

// Every message of type T already in `to`'s mailbox (others stay), without waiting: after run() everything a
// scheduled actor sent to `to` is there.
template <class T>
std::vector<T> take_all(caf::scoped_actor& to) {
  std::vector<T> out;
  for (bool more = true; more;)
    to->receive([&](T& x) { out.push_back(std::move(x)); },
                caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
  return out;
}

struct deterministic_system {
  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    register_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    return cfg;
  }

  deterministic_system()
      : sys(init(cfg)),
        self(sys, true),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  // Kills what the test spawned (and let run), so the actor system's destructor, which waits for every actor,
  // returns.
  ~deterministic_system() {
    for (auto& a : spawned) self->send_exit(a, caf::exit_reason::kill);
    run();
  }

  // Delivers messages until no scheduled actor has one left. Returns how many were delivered.
  size_t run() { return sched.run(); }
  bool run_once() { return sched.try_run_once(); }
  size_t trigger_timeouts() { return sched.trigger_timeouts(); }

  template <class T>
  std::vector<T> take_all() {
    return testing::take_all<T>(self);
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
  std::vector<caf::actor_addr> spawned;  // killed at the end of the test
};

}  // namespace spec_notify::testing
