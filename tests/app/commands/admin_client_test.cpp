#define BOOST_TEST_MODULE admin_client
// The store-direct session of app/commands/admin_client.cpp (no daemon): `--list` takes the open circuits
// from sub/<name>/breaker, for the configured subscriptions with a breaker only, and honours --subscription.
#include "app/commands/admin_client.hpp"

#include <boost/test/unit_test.hpp>

#include "actors/store/records.hpp"
#include "actors/store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

namespace {

config::subscription_settings sub(const std::string& name, bool breaker) {
  config::subscription_settings s;
  s.name = name;
  s.breaker.enabled = breaker;
  return s;
}

struct offline_fixture {
  offline_fixture() {
    cfg.admin_enabled = false;  // nothing to connect to: the session opens the store
    cfg.state_dir = dir / "state";
    cfg.subscriptions = {sub("down", true), sub("closed", true), sub("nobreaker", false), sub("other", true)};
    auto opened = store::db::open(cfg.state_dir.string());
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    auto db = std::move(*opened);
    store::batch b;
    b.put(store::breaker_key("down"), "1795000000000");
    b.put(store::breaker_key("nobreaker"), "1795000000000");  // left from a config that had a breaker
    b.put(store::breaker_key("other"), "not a number");
    b.put(store::breaker_key("unconfigured"), "1795000000000");
    BOOST_REQUIRE(db->write(b, store::durability::synced).ok());
  }  // the store closes here: the session opens it, as `--list` does with no daemon running

  admin_reply list(const std::string& only = "") {
    std::string error;
    auto session = app::admin_session::open(cfg, true, error);
    BOOST_REQUIRE_MESSAGE(session, error);
    BOOST_REQUIRE(!session->remote());
    admin_request req;
    req.command = "list";
    req.subscription = only;
    auto reply = session->call(req);
    BOOST_REQUIRE_MESSAGE(reply.ok, reply.message);
    return reply;
  }

  testing::temp_dir dir;
  config::settings cfg;
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(offline_list_reports_the_stored_open_circuit_of_a_subscription_with_a_breaker,
                        offline_fixture) {
  auto reply = list();
  BOOST_REQUIRE_EQUAL(reply.statuses.size(), 1u);
  BOOST_TEST(reply.statuses[0].live.name == "down");
  BOOST_TEST(reply.statuses[0].live.circuit == "open");
  BOOST_TEST(reply.statuses[0].live.circuit_since_ms == 1795000000000);
  BOOST_TEST(!reply.statuses[0].running);
}

BOOST_FIXTURE_TEST_CASE(offline_list_honours_the_subscription_filter_for_circuits, offline_fixture) {
  BOOST_TEST(list("down").statuses.size() == 1u);
  BOOST_TEST(list("closed").statuses.empty());
  BOOST_TEST(list("nobreaker").statuses.empty());
  BOOST_TEST(list("unconfigured").statuses.empty());
}

BOOST_AUTO_TEST_CASE(offline_list_without_a_state_dir_reports_no_circuit) {
  testing::temp_dir dir;
  config::settings cfg;
  cfg.admin_enabled = false;
  cfg.state_dir = dir / "never-created";
  cfg.subscriptions = {sub("down", true)};
  std::string error;
  auto session = app::admin_session::open(cfg, true, error);
  BOOST_REQUIRE_MESSAGE(session, error);
  admin_request req;
  req.command = "list";
  auto reply = session->call(req);
  BOOST_TEST(reply.ok);
  BOOST_TEST(reply.statuses.empty());
  BOOST_TEST(reply.rows.empty());
}
