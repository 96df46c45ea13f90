#define BOOST_TEST_MODULE supervisor
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_actor.hpp"
#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

namespace {

struct pipeline {
  testing::temp_dir dir;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  store::db_ptr db;
  config::settings settings;

  pipeline() {
    register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    std::string error;
    db = store::db::open((dir / "state").string(), error);
    BOOST_REQUIRE_MESSAGE(db, error);
    dir.save("repo/SPEC.md", "| ID | Task | Status |\n|---|---|---|\n| T1 | a | Done |\n");
    settings.repo = dir / "repo";
    settings.state_dir = dir / "state";
    settings.evidence_dir = dir / "repo/evidence";
    config::subscription_settings sub;
    sub.name = "one";
    sub.url = "http://127.0.0.1:9/";
    sub.secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    settings.subscriptions.push_back(sub);
  }

  wiring ask_wiring(caf::scoped_actor& self, const caf::actor& sup) {
    wiring w;
    self->request(sup, std::chrono::seconds(5), wire_atom::value)
        .receive([&](const wiring& x) { w = x; }, [&](caf::error& e) { BOOST_FAIL(sys->render(e)); });
    return w;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_crashed_stage_is_restarted_and_rewired, pipeline) {
  caf::scoped_actor self{*sys};
  auto sup = supervisor::spawn_supervisor(*sys, settings, db);
  auto before = ask_wiring(self, sup);
  BOOST_REQUIRE(before.router);
  BOOST_REQUIRE(before.deliverers.count("one"));
  self->monitor(before.router);
  self->send_exit(before.router, caf::exit_reason::kill);
  self->receive([&](caf::down_msg& dm) { BOOST_TEST((dm.source == before.router.address())); });
  // The supervisor handles the same down message; poll its wiring until the new router shows up.
  wiring after;
  for (int i = 0; i < 500; ++i) {
    after = ask_wiring(self, sup);
    if (after.router && after.router != before.router) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  BOOST_TEST((after.router && after.router != before.router));
  BOOST_TEST((after.deliverers.at("one") == before.deliverers.at("one")));  // siblings untouched
  self->monitor(sup);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->receive([&](caf::down_msg& dm) { BOOST_TEST((dm.source == sup.address())); });
}

BOOST_FIXTURE_TEST_CASE(too_many_crashes_make_the_supervisor_give_up_with_an_error, pipeline) {
  caf::scoped_actor self{*sys};
  auto sup = supervisor::spawn_supervisor(*sys, settings, db, 2);
  self->monitor(sup);
  for (int i = 0; i < 3; ++i) {
    auto w = ask_wiring(self, sup);
    self->send_exit(w.differ, caf::exit_reason::kill);
    // Wait for the replacement before killing again (or for the supervisor to give up on the last one).
    for (int j = 0; j < 500 && i < 2; ++j) {
      auto now = ask_wiring(self, sup);
      if (now.differ && now.differ != w.differ) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  bool down = false;
  self->receive(
      [&](caf::down_msg& dm) {
        down = true;
        BOOST_TEST(static_cast<bool>(dm.reason));
      },
      caf::after(std::chrono::seconds(10)) >> [] {});
  BOOST_TEST(down);
}
