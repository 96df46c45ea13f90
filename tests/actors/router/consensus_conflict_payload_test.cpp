#define BOOST_TEST_MODULE consensus_conflict_payload
// The router's side of spec-auto.consensus.conflict (issue 17 item 5): the payload is stage-shaped and its
// consensus object carries the conflict from the differ's context (never null, also when that context is
// lost); subscriptions receive the type only when they list it.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "actors/differ/spec_context.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/router/payload.hpp"
#include "actors/router/subscription_filter.hpp"

using namespace spec_notify;
namespace et = spec_notify::event_type;

namespace {

const std::string kSynthesis =
    "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/consensus/SPEC-KIT-075/spec-plan_2026-01-01T00:00:00Z_"
    "synthesis.json";

event conflict_event() {
  differ::consensus_conflict k;
  k.stage = "plan";
  k.status = "conflict";
  k.points = {"retry queue in LevelDB or in memory", "quote \" and \\ and \x01"};
  k.total_points = 3;
  k.points_truncated = true;
  k.agents = {"gemini", "claude"};
  k.telemetry =
      "/home/x/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-075/spec-plan_1-1.json";
  differ::telemetry_summary t;
  t.command = "spec-ops-plan";
  t.session_id = "1-1";
  t.timestamp = "2026-01-01T00:00:00Z";
  t.stage = "plan";
  t.status = "passed";
  t.path = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-075/spec-plan_1-1.json";
  event e;
  e.id = "evt_1";
  e.type = et::consensus_conflict;
  e.occurred_at_ms = 1767225600000;
  e.spec_id = "SPEC-KIT-075-add-webhook-notification-system-for";
  e.stage = k.stage;
  e.status = k.status;
  e.source = kSynthesis;
  e.context = differ::conflict_context(kSynthesis, 4, k, &t);
  return e;
}

Poco::JSON::Object::Ptr render(const event& e) {
  Poco::JSON::Parser parser;
  return parser
      .parse(router::render_payload(e, "msg_1", 1, "SPEC-KIT-075-add-webhook-notification-system-for"))
      .extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(payload_is_stage_shaped_and_carries_the_conflict) {
  const auto p = render(conflict_event());
  BOOST_TEST(p->getValue<std::string>("type") == "spec-auto.consensus.conflict");
  BOOST_TEST(p->getValue<std::string>("stage") == "plan");
  BOOST_TEST(p->getValue<std::string>("status") == "conflict");
  BOOST_TEST(!p->has("task"));
  const auto c = p->getObject("consensus");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->getValue<std::string>("path") == kSynthesis);
  BOOST_TEST(c->getValue<int>("agreements") == 4);
  BOOST_TEST(c->getValue<int>("conflicts") == 3);
  const auto points = c->getArray("conflict_points");
  BOOST_REQUIRE(points);
  BOOST_REQUIRE_EQUAL(points->size(), 2u);
  BOOST_TEST(points->getElement<std::string>(1) == "quote \" and \\ and \x01");
  BOOST_TEST(c->getValue<bool>("conflicts_truncated"));
  BOOST_TEST(c->getArray("agents")->size() == 2u);
  BOOST_TEST(!c->getValue<bool>("agents_truncated"));
  BOOST_TEST(c->getValue<std::string>("telemetry").find("/home/x/") == 0u);
  BOOST_TEST(p->getObject("telemetry")->getValue<std::string>("command") == "spec-ops-plan");
  const auto evidence = p->getArray("evidence");
  BOOST_REQUIRE_EQUAL(evidence->size(), 2u);
  BOOST_TEST(evidence->getElement<std::string>(0) == kSynthesis);
}

BOOST_AUTO_TEST_CASE(no_pointer_renders_null_telemetry) {
  differ::consensus_conflict k;
  k.stage = "tasks";
  k.status = "";
  k.points = {"p"};
  k.total_points = 1;
  event e = conflict_event();
  e.context = differ::conflict_context(kSynthesis, 0, k, nullptr);
  const auto p = render(e);
  BOOST_TEST(p->isNull("telemetry"));
  BOOST_TEST(p->getObject("consensus")->isNull("telemetry"));
  BOOST_TEST(p->getArray("evidence")->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_lost_context_still_gives_a_consensus_object) {
  // The consensus member of the context null (a damaged evt/ record decodes that way, store::decode), or
  // left empty by hand.
  for (const std::string consensus : {"null", ""}) {
    event e = conflict_event();
    e.context.consensus = consensus;
    const auto p = render(e);
    const auto c = p->getObject("consensus");
    BOOST_REQUIRE_MESSAGE(c, consensus);
    BOOST_TEST(c->getValue<std::string>("path") == kSynthesis);
    BOOST_TEST(c->getValue<std::string>("stage") == "plan");
    BOOST_TEST(c->getArray("conflict_points")->size() == 0u);
    BOOST_TEST(c->isNull("telemetry"));
  }
  // Other types keep null for a lost context.
  event stage = conflict_event();
  stage.type = et::stage_completed;
  stage.context = {};
  BOOST_TEST(render(stage)->isNull("consensus"));
}

BOOST_AUTO_TEST_CASE(subscriptions_receive_conflicts_only_when_they_list_the_type) {
  const event e = conflict_event();
  router::filter none;  // no events list at all: every other type, not this one
  BOOST_TEST(!router::matches(none, e));
  BOOST_TEST(router::mismatch_reason(none, e).find("events filter") == 0u);
  router::filter stages{{et::stage_completed, et::pipeline_completed}, {}, {}, {}};
  BOOST_TEST(!router::matches(stages, e));
  router::filter listed{{et::consensus_conflict}, {"Done"}, {"SPEC-KIT-075"}, {"T1"}};  // statuses/tasks: n/a
  BOOST_TEST(router::matches(listed, e));
  BOOST_TEST(router::mismatch_reason(listed, e).empty());
  router::filter other_spec{{et::consensus_conflict}, {}, {"SPEC-KIT-900"}, {}};
  BOOST_TEST(!router::matches(other_spec, e));
  // The other types are unchanged by the opt-in: an empty list still takes them.
  event stage = e;
  stage.type = et::stage_completed;
  BOOST_TEST(router::matches(none, stage));
}
