#define BOOST_TEST_MODULE supervisor
// Restart and give-up behaviour of the supervisor with the real pipeline. How the tests wait (webhooks,
// supervisor replies, down messages; no sleeping): tests/actors/supervisor/pipeline_fixture.hpp.
#include "tests/actors/supervisor/pipeline_fixture.hpp"

using namespace spec_notify;

BOOST_FIXTURE_TEST_CASE(a_crashed_stage_is_restarted_and_rewired, testing::pipeline) {
  start();
  const auto before = ask_wiring();
  BOOST_REQUIRE(before.router);
  BOOST_REQUIRE(before.deliverers.count("one"));
  deliver_through(before.router, "R0");  // the first router is up: it will not read evt/ again
  testing::put_event(*db, testing::task_event("R1"));
  crash(before.router);
  // Only a new router, wired to the live deliverer, can turn R1 into a webhook.
  BOOST_REQUIRE(receiver.wait_for_body("\"R1\""));
  // The supervisor spawned and wired that router in one handler, so it answers with the new handle.
  const auto after = ask_wiring();
  BOOST_TEST((after.router && after.router != before.router));
  BOOST_TEST((after.deliverers.at("one") == before.deliverers.at("one")));  // siblings untouched
  BOOST_TEST((after.differ == before.differ));
  BOOST_TEST((stop() == caf::exit_reason::user_shutdown));
}

BOOST_FIXTURE_TEST_CASE(too_many_crashes_make_the_supervisor_give_up_with_an_error, testing::pipeline) {
  start(2);
  auto router = ask_wiring().router;
  deliver_through(router, "R0");
  for (const char* task : {"R1", "R2"}) {  // two restarts: within max_restarts
    testing::put_event(*db, testing::task_event(task));
    crash(router);
    BOOST_REQUIRE(receiver.wait_for_body("\"" + std::string(task) + "\""));
    const auto now = ask_wiring();  // still answering: it has not given up
    BOOST_REQUIRE((now.router && now.router != router));
    router = now.router;
  }
  crash(router);  // the third within a minute
  const caf::error reason = await_down(sup);
  BOOST_TEST((reason == caf::sec::runtime_error), sys->render(reason));
}
