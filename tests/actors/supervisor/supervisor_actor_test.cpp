#define BOOST_TEST_MODULE supervisor_actor
// The supervisor's wiring and stopping with the real pipeline (restart / give-up: supervisor_test.cpp). How
// the tests wait (webhooks, supervisor replies, down messages; no sleeping): pipeline_fixture.hpp.
#include "tests/actors/supervisor/pipeline_fixture.hpp"

using namespace spec_notify;

BOOST_FIXTURE_TEST_CASE(every_enabled_stage_is_spawned_and_wired, testing::pipeline) {
  config::subscription_settings off = settings.subscriptions.front();
  off.name = "off";
  off.enabled = false;
  settings.subscriptions.push_back(off);
  start();
  const auto w = ask_wiring();
  BOOST_TEST(static_cast<bool>(w.differ));
  BOOST_TEST(static_cast<bool>(w.router));
  BOOST_TEST(static_cast<bool>(w.dead_letter));
  BOOST_TEST(static_cast<bool>(w.evidence));
  BOOST_TEST(w.deliverers.size() == 1u);  // none for the disabled subscription
  BOOST_TEST(w.deliverers.count("one") == 1u);
  deliver_through(w.router, "R0");  // router -> deliverer -> receiver
}

BOOST_FIXTURE_TEST_CASE(a_crashed_deliverer_resumes_its_spool_and_the_router_is_rewired_to_it,
                        testing::pipeline) {
  start();
  const auto before = ask_wiring();
  deliver_through(before.router, "R0");  // the first deliverer is up and has loaded the spool
  testing::put_delivery(*db, testing::pending_delivery("one", "D1"));
  crash(before.deliverers.at("one"));
  // Only a new deliverer, loading dlv/ at its start, sends D1.
  BOOST_REQUIRE(receiver.wait_for_body("\"D1\""));
  const auto after = ask_wiring();
  BOOST_TEST((after.deliverers.at("one") != before.deliverers.at("one")));
  BOOST_TEST((after.router == before.router));
  // The router now talks to the new deliverer (a batch sent to the dead one would never become a webhook).
  deliver_through(after.router, "R2");
}

BOOST_FIXTURE_TEST_CASE(a_shutdown_stops_every_stage_before_the_supervisor_quits, testing::pipeline) {
  start();
  const auto w = ask_wiring();
  std::vector<caf::actor_addr> stages{w.differ.address(), w.router.address(), w.dead_letter.address(),
                                      w.evidence.address(), w.deliverers.at("one").address()};
  for (const auto& s : stages) (*self)->monitor(s);
  BOOST_TEST((stop() == caf::exit_reason::user_shutdown));
  for (const auto& s : stages) BOOST_TEST((await_down(s) == caf::exit_reason::user_shutdown));
}
