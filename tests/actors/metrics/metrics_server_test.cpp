#define BOOST_TEST_MODULE metrics_server
#include "actors/metrics/metrics_server.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <sstream>

#include "actors/metrics/metrics_collector.hpp"
#include "messages/type_ids.hpp"

using namespace spec_notify;
using namespace spec_notify::metrics;
using namespace std::chrono_literals;

namespace {

struct fixture {
  fixture() : sys{(register_message_types(cfg), cfg)} {}
  // The system's destructor waits for every actor: stop the stand-ins first.
  ~fixture() {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::vector<caf::actor_addr> spawned;

  template <class F, class... Ts>
  auto spawn(F fun, Ts&&... xs) {
    auto handle = sys.spawn(fun, std::forward<Ts>(xs)...);
    spawned.push_back(handle.address());
    return handle;
  }

  supervisor_actor fake_pipeline();
};

// Stand-ins are named functions with an argument: CAF 0.17's factory for argument-less lambda actors binds a
// reference to a null pointer (UBSan reports it; see docs/testing.md).
caf::behavior fake_differ(caf::event_based_actor*, int64_t events) {
  return {[=](status_atom) { return events; }};
}

caf::behavior fake_deliverer(caf::event_based_actor*, std::string name) {
  return {[=](status_atom) {
    subscription_status s;
    s.name = name;
    s.delivered = 3;
    s.latency_buckets.assign(latency_bucket_count, 0);
    s.latency_buckets[0] = 3;
    return s;
  }};
}

// Never answers its status request.
caf::behavior stuck_deliverer(caf::event_based_actor* self, std::string) {
  return {[=](status_atom) { return self->make_response_promise<subscription_status>(); }};
}

supervisor_actor::behavior_type fake_supervisor(supervisor_actor::pointer, pipeline_handles w) {
  return {[=](wire_atom) { return w; }};
}

// A pipeline stand-in: a supervisor answering wire_atom with a differ and two deliverers; "stuck" never
// answers its status request.
// The stand-ins answer only status_atom, all the collector sends: cast to the stages' handle types.
supervisor_actor fixture::fake_pipeline() {
  pipeline_handles w;
  w.differ = caf::actor_cast<differ_actor>(spawn(fake_differ, int64_t{42}));
  w.deliverers["chatops"] = caf::actor_cast<deliverer_actor>(spawn(fake_deliverer, std::string("chatops")));
  w.deliverers["stuck"] = caf::actor_cast<deliverer_actor>(spawn(stuck_deliverer, std::string("stuck")));
  return caf::actor_cast<supervisor_actor>(spawn(fake_supervisor, w));
}

std::pair<int, std::string> http_get(uint16_t port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::ostringstream body;
  Poco::StreamCopier::copyStream(session.receiveResponse(resp), body);
  return {resp.getStatus(), body.str()};
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(collect_metrics_asks_every_stage_and_skips_one_that_does_not_answer, fixture) {
  auto snap = collect_metrics(sys, fake_pipeline(), 200ms);
  BOOST_TEST(snap.pipeline_up);
  BOOST_TEST(snap.events_detected.value_or(-1) == 42);
  BOOST_REQUIRE(snap.subscriptions.size() == 1u);
  BOOST_TEST(snap.subscriptions[0].name == "chatops");
  BOOST_TEST(snap.subscriptions[0].delivered == 3);
}

BOOST_FIXTURE_TEST_CASE(collect_metrics_without_a_pipeline_reports_it_down, fixture) {
  auto snap = collect_metrics(sys, supervisor_actor{}, 200ms);
  BOOST_TEST(!snap.pipeline_up);
  BOOST_TEST(snap.subscriptions.empty());
}

BOOST_FIXTURE_TEST_CASE(metrics_server_serves_prometheus_text_on_get_metrics_only, fixture) {
  auto started = metrics_server::start(sys, "127.0.0.1:0");
  BOOST_REQUIRE_MESSAGE(started, started.message());
  auto server = std::move(*started);
  auto [down_status, down_body] = http_get(server->port(), "/metrics");
  BOOST_TEST(down_status == 200);
  BOOST_TEST(down_body.find("spec_notify_up 0\n") != std::string::npos);

  server->set_supervisor(fake_pipeline());
  auto [status, body] = http_get(server->port(), "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(body.find("spec_notify_up 1\n") != std::string::npos);
  BOOST_TEST(body.find("spec_notify_events_detected_total 42\n") != std::string::npos);
  BOOST_TEST(body.find("spec_notify_deliveries_succeeded_total{subscription=\"chatops\"} 3\n") !=
             std::string::npos);
  BOOST_TEST(http_get(server->port(), "/other").first == 404);
  server.reset();  // joins its threads before the actor system goes away
}

BOOST_FIXTURE_TEST_CASE(metrics_server_start_reports_a_malformed_address, fixture) {
  auto started = metrics_server::start(sys, "not an address");
  BOOST_TEST(!started);
  BOOST_TEST(started.message().find("not an address") != std::string::npos);
}
