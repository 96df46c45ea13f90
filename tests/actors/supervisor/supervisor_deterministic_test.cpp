#define BOOST_TEST_MODULE supervisor_deterministic
// The supervisor's own logic -- spawning, wiring, restarting a crashed stage and re-wiring the others to it,
// giving up after too many restarts, stopping upstream first -- on CAF's deterministic scheduler, with
// stand-in stages (stage_factory) that have the real stages' typed interfaces and report to the test what
// they receive. (The same behaviour with the real pipeline: supervisor_actor_test.cpp, supervisor_test.cpp.)
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <string>
#include <vector>

#include "actors/supervisor/supervisor_actor.hpp"
#include "tests/support/deterministic_system.hpp"

using namespace spec_notify;

namespace {

// What a stand-in tells the test: ("wired", stage, the handle it was given) and ("exit", stage, itself).
using report = std::tuple<std::string, std::string, caf::actor_addr>;
using wired_atom = caf::atom_constant<caf::atom("wired")>;
using exited_atom = caf::atom_constant<caf::atom("exited")>;

template <class Self>
void report_exit(Self* self, caf::actor obs, std::string stage) {
  self->set_exit_handler([self, obs, stage](caf::exit_msg& em) {
    caf::anon_send(obs, exited_atom::value, stage, self->address());
    self->quit(em.reason);
  });
}

deliverer_actor::behavior_type fake_deliverer(deliverer_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "deliverer");
  return {
      [=](wire_atom, const evidence_actor& e, const dead_letter_actor&) {
        caf::anon_send(obs, wired_atom::value, std::string("deliverer"), e.address());
      },
      [=](const delivery_batch&) {},
      [=](status_atom) { return subscription_status{}; },
      [=](pause_atom) {},
      [=](resume_atom) {},
      [=](enable_atom) {},
  };
}

router_actor::behavior_type fake_router(router_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "router");
  return {
      [=](wire_atom, const deliverer_map& d) {
        caf::anon_send(obs, wired_atom::value, std::string("router"),
                       d.count("one") ? d.at("one").address() : caf::actor_addr{});
      },
      [=](const event_batch&) {},
  };
}

differ_actor::behavior_type fake_differ(differ_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "differ");
  return {
      [=](wire_atom, const router_actor& r) {
        caf::anon_send(obs, wired_atom::value, std::string("differ"), r.address());
      },
      [=](const files_changed&) {},
      [=](status_atom) { return int64_t{0}; },
  };
}

watcher_actor::behavior_type fake_watcher(watcher_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "watcher");
  return {
      [=](wire_atom, const differ_actor& d) {
        caf::anon_send(obs, wired_atom::value, std::string("watcher"), d.address());
      },
  };
}

evidence_actor::behavior_type fake_evidence(evidence_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "evidence");
  return {[=](const delivery_outcome&) {}};
}

dead_letter_actor::behavior_type fake_dead_letter(dead_letter_actor::pointer self, caf::actor obs) {
  report_exit(self, obs, "dead_letter");
  return {[=](const delivery_outcome&) {}};
}

struct fixture : testing::deterministic_system {
  caf::scoped_actor obs{sys, true};
  supervisor_actor sup;
  config::settings cfg;

  fixture() {
    config::subscription_settings one;
    one.name = "one";
    cfg.subscriptions.push_back(one);
  }

  void start(int max_restarts = 10) {
    caf::actor o = caf::actor_cast<caf::actor>(obs);
    supervisor::stage_factory f;
    f.evidence = [o](caf::local_actor* p) { return p->spawn<caf::monitored>(fake_evidence, o); };
    f.dead_letter = [o](caf::local_actor* p) { return p->spawn<caf::monitored>(fake_dead_letter, o); };
    f.deliverer = [o](caf::local_actor* p, const config::subscription_settings&) {
      return p->spawn<caf::monitored>(fake_deliverer, o);
    };
    f.router = [o](caf::local_actor* p) { return p->spawn<caf::monitored>(fake_router, o); };
    f.differ = [o](caf::local_actor* p) { return p->spawn<caf::monitored>(fake_differ, o); };
    f.watcher = [o](caf::local_actor* p) { return p->spawn<caf::monitored>(fake_watcher, o); };
    sup = supervisor::spawn_supervisor(sys, cfg, f, max_restarts);
    spawned.push_back(sup.address());
    self->monitor(sup);
    run();
  }

  // The live handles, as the admin actor asks for them.
  pipeline_handles wiring() {
    self->send(sup, wire_atom::value);
    run();
    auto replies = take_all<pipeline_handles>();
    BOOST_REQUIRE(replies.size() == 1u);
    return replies[0];
  }

  // Every ("wired", stage, handle) the stand-ins reported since the last call.
  std::map<std::string, caf::actor_addr> wired() {
    std::map<std::string, caf::actor_addr> out;
    for (bool more = true; more;)
      obs->receive([&](wired_atom, const std::string& stage, const caf::actor_addr& h) { out[stage] = h; },
                   [&](exited_atom, const std::string&, const caf::actor_addr&) {},
                   caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }

  // The stages that stopped since the last call, in the order they did.
  std::vector<std::string> exited() {
    std::vector<std::string> out;
    for (bool more = true; more;)
      obs->receive(
          [&](exited_atom, const std::string& stage, const caf::actor_addr&) { out.push_back(stage); },
          [&](wired_atom, const std::string&, const caf::actor_addr&) {},
          caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }

  void kill(const caf::actor_addr& stage) {
    self->send_exit(stage, caf::exit_reason::kill);
    run();
  }

  // The supervisor's exit reason once it is down, else none.
  std::optional<caf::error> supervisor_down() {
    std::optional<caf::error> reason;
    for (auto& dm : take_all<caf::down_msg>())
      if (dm.source == sup.address()) reason = dm.reason;
    return reason;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(each_stage_is_wired_to_the_live_handles_of_the_stages_it_sends_to, fixture) {
  start();
  const auto w = wiring();
  const auto seen = wired();
  BOOST_TEST((seen.at("watcher") == w.differ.address()));
  BOOST_TEST((seen.at("differ") == w.router.address()));
  BOOST_TEST((seen.at("router") == w.deliverers.at("one").address()));
  BOOST_TEST((seen.at("deliverer") == w.evidence.address()));
}

BOOST_FIXTURE_TEST_CASE(a_crashed_router_is_restarted_and_its_upstream_rewired_to_the_new_one, fixture) {
  start();
  const auto before = wiring();
  wired();
  kill(before.router.address());
  const auto after = wiring();
  BOOST_TEST((after.router != before.router));
  BOOST_TEST((after.differ == before.differ));  // only the crashed stage is replaced
  const auto seen = wired();
  BOOST_TEST((seen.at("differ") == after.router.address()));                // the differ sends to the new one
  BOOST_TEST((seen.at("router") == after.deliverers.at("one").address()));  // which knows the deliverer
  BOOST_TEST(!supervisor_down());
}

BOOST_FIXTURE_TEST_CASE(a_crashed_deliverer_is_replaced_in_the_routers_map, fixture) {
  start();
  const auto before = wiring();
  wired();
  kill(before.deliverers.at("one").address());
  const auto after = wiring();
  BOOST_TEST((after.deliverers.at("one") != before.deliverers.at("one")));
  BOOST_TEST((wired().at("router") == after.deliverers.at("one").address()));
}

BOOST_FIXTURE_TEST_CASE(more_restarts_than_allowed_within_a_minute_make_it_give_up, fixture) {
  start(2);
  for (int i = 0; i < 2; ++i) {
    kill(wiring().differ.address());
    BOOST_TEST(!supervisor_down());
  }
  kill(wiring().differ.address());  // the third within a minute
  const auto reason = supervisor_down();
  BOOST_REQUIRE(reason);
  BOOST_TEST((*reason == caf::sec::runtime_error));
}

BOOST_FIXTURE_TEST_CASE(a_shutdown_stops_the_watcher_first_and_quits_after_every_stage, fixture) {
  start();
  exited();
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  run();
  const auto order = exited();
  BOOST_REQUIRE(order.size() == 6u);
  BOOST_TEST(order.front() == "watcher");  // upstream first: nothing new is produced while the rest drain
  const auto reason = supervisor_down();
  BOOST_REQUIRE(reason);
  BOOST_TEST((*reason == caf::exit_reason::user_shutdown));
}
