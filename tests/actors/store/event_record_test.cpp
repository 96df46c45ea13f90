#define BOOST_TEST_MODULE event_record
// The evt/ record of an event (store::encode / decode): its context is a structured value in memory
// (event_context) but keeps the on-disk shape it had when it was JSON text in the event, a string member
// "context_json" holding {"telemetry":...,"consensus":...,"evidence":[...]}. Records already in state dirs
// must decode to the context the router used to parse out of that text, and new records must be the same
// bytes as before.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "actors/router/payload.hpp"
#include "actors/store/records.hpp"

using namespace spec_notify;

namespace {

// Written by the differ before the context was structured (a consensus-conflict event of
// tests/actors/differ/fixtures/conflict, telemetry found by its pointer), copied from a state dir.
const std::string kConflictRecord =
    R"({"id":"evt_1","type":"spec-auto.consensus.conflict","occurred_at_ms":1767225600001,)"
    R"("spec_id":"SPEC-KIT-920-conflict-fixtures","task_id":"","task_title":"","from":"","to":"",)"
    R"("raw_status":"","source":"docs/c/spec-plan_synthesis.json","line":0,"stage":"plan","status":"conflict",)"
    R"("context_json":"{\"telemetry\":{\"command\":\"spec-ops-plan\",\"session_id\":\"2025-11-01T09:55:00Z-101\",)"
    R"(\"timestamp\":\"2025-11-01T10:00:00Z\",\"stage\":\"plan\",\"status\":\"passed\",)"
    R"(\"path\":\"docs/t/spec-plan_1.json\"},\"consensus\":{\"status\":\"conflict\",\"agreements\":1,)"
    R"(\"conflicts\":2,\"stage\":\"plan\",\"path\":\"docs/c/spec-plan_synthesis.json\",)"
    R"(\"conflict_points\":[\"Gemini wants the retry queue in LevelDB\",\"Whether tasks.md is rewritten\"],)"
    R"(\"conflicts_truncated\":false,\"agents\":[\"gemini\",\"claude\"],\"agents_truncated\":false,)"
    R"(\"telemetry\":\"/home/dev/code/docs/t/spec-plan_1.json\"},)"
    R"(\"evidence\":[\"docs/c/spec-plan_synthesis.json\",\"docs/t/spec-plan_1.json\"]}"})";

// A stage event whose telemetry values needed escaping (quote, backslash, U+0001, U+2028, a tab) and hold
// UTF-8: escaped twice on disk, once inside the context text and once as that text in the record.
const std::string kEscapedRecord =
    R"({"id":"evt_14","type":"spec-auto.stage.completed","occurred_at_ms":1767225600014,"spec_id":"SPEC-KIT-DEMO",)"
    R"("task_id":"","task_title":"","from":"","to":"","raw_status":"","source":"docs/t/spec-unlock_1.json",)"
    R"("line":0,"stage":"unlock","status":"unknown","context_json":"{\"telemetry\":{\"command\":)"
    R"(\"spec-ops-unlock \\\"q\\\" \\\\ \\u0001 \\u2028 end\",\"session_id\":\"sess )"
    "\xF0\x9F\x9A\x80"
    R"( \\t\",\"timestamp\":\"2025-10-04T14:32:16Z\",\"stage\":\"unlock\",\"status\":\"unknown\",)"
    R"(\"path\":\"docs/t/spec-unlock_1.json\"},\"consensus\":null,\"evidence\":[\"docs/t/spec-unlock_1.json\"]}"})";

// An evt/ record whose context_json member holds `context_text` (as a JSON string).
std::string record_with_context(const std::string& context_text) {
  return R"({"id":"evt_x","type":"spec-kit.task.transitioned","context_json":)" +
         util::json_string(context_text) + "}";
}

event_context decoded_context(const std::string& context_text) {
  event e;
  BOOST_REQUIRE_MESSAGE(store::decode(record_with_context(context_text), e), context_text);
  return e.context;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_record_written_in_todays_format_decodes_to_the_same_context) {
  event e;
  BOOST_REQUIRE(store::decode(kConflictRecord, e));
  BOOST_TEST(e.type == event_type::consensus_conflict);
  BOOST_TEST(e.context.telemetry == R"({"command":"spec-ops-plan","session_id":"2025-11-01T09:55:00Z-101",)"
                                    R"("timestamp":"2025-11-01T10:00:00Z","stage":"plan","status":"passed",)"
                                    R"("path":"docs/t/spec-plan_1.json"})");
  BOOST_TEST(
      e.context.consensus ==
      R"({"status":"conflict","agreements":1,"conflicts":2,"stage":"plan",)"
      R"("path":"docs/c/spec-plan_synthesis.json",)"
      R"("conflict_points":["Gemini wants the retry queue in LevelDB","Whether tasks.md is rewritten"],)"
      R"("conflicts_truncated":false,"agents":["gemini","claude"],"agents_truncated":false,)"
      R"("telemetry":"/home/dev/code/docs/t/spec-plan_1.json"})");
  BOOST_TEST(e.context.evidence ==
                 (std::vector<std::string>{"docs/c/spec-plan_synthesis.json", "docs/t/spec-plan_1.json"}),
             boost::test_tools::per_element());
  // Encoded again: the very bytes that were on disk.
  BOOST_TEST(store::encode(e) == kConflictRecord);
}

BOOST_AUTO_TEST_CASE(escapes_inside_the_context_text_survive_decode_and_encode_unchanged) {
  event e;
  BOOST_REQUIRE(store::decode(kEscapedRecord, e));
  BOOST_TEST(e.context.telemetry.find(R"("command":"spec-ops-unlock \"q\" \\ \u0001 \u2028 end")") !=
             std::string::npos);
  BOOST_TEST(e.context.telemetry.find("\"session_id\":\"sess \xF0\x9F\x9A\x80 \\t\"") != std::string::npos);
  BOOST_TEST(e.context.consensus == "null");
  BOOST_TEST(e.context.evidence == std::vector<std::string>{"docs/t/spec-unlock_1.json"},
             boost::test_tools::per_element());
  BOOST_TEST(store::encode(e) == kEscapedRecord);
}

BOOST_AUTO_TEST_CASE(a_new_record_stores_the_context_as_the_json_text_it_always_was) {
  event e;
  e.id = "evt_1";
  e.type = event_type::task_transitioned;
  e.context.telemetry = R"({"command":"spec-ops-validate","path":"a \"b\""})";
  e.context.evidence = {"docs/a.json", "quote \" path"};
  const std::string record = store::encode(e);
  const std::string member =
      R"("context_json":"{\"telemetry\":{\"command\":\"spec-ops-validate\",\"path\":\"a \\\"b\\\"\"},)"
      R"(\"consensus\":null,\"evidence\":[\"docs/a.json\",\"quote \\\" path\"]}"})";
  BOOST_TEST(record.substr(record.size() - member.size()) == member);
  event back;
  BOOST_REQUIRE(store::decode(record, back));
  BOOST_TEST((back.context == e.context));
  // A default context: nulls and no evidence, as the differ wrote for a SPEC without evidence.
  event bare;
  bare.id = "evt_2";
  bare.type = event_type::test;
  const std::string plain = store::encode(bare);
  BOOST_TEST(plain.find(R"("context_json":"{\"telemetry\":null,\"consensus\":null,\"evidence\":[]}")") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_empty_or_invalid_context_decodes_as_no_context) {
  for (const std::string text : {"", "not json", "{\"telemetry\":", "[1,2]", "null", "{}", "{\"a\":1} x",
                                 R"({"telemetry":"str","consensus":[1],"evidence":{"a":1}})"}) {
    BOOST_TEST((decoded_context(text) == event_context{}), "context: " << text);
  }
  event e;
  BOOST_REQUIRE(store::decode(R"({"id":"evt_x","type":"t"})", e));  // no member at all
  BOOST_TEST((e.context == event_context{}));
  BOOST_REQUIRE(store::decode(R"({"id":"evt_x","type":"t","context_json":null})", e));
  BOOST_TEST((e.context == event_context{}));
  // As when the member was a string field: a number is taken (and is no context), an object refuses the
  // record.
  BOOST_REQUIRE(store::decode(R"({"id":"evt_x","type":"t","context_json":12})", e));
  BOOST_TEST((e.context == event_context{}));
  BOOST_TEST(!store::decode(R"({"id":"evt_x","type":"t","context_json":{"telemetry":null}})", e));
}

BOOST_AUTO_TEST_CASE(a_member_of_the_wrong_type_is_null_and_non_string_evidence_is_dropped) {
  const auto c =
      decoded_context(R"({"telemetry":[1],"consensus":{"status":"ok"},"evidence":["a",1,null,{"x":1},"b"]})");
  BOOST_TEST(c.telemetry == "null");
  BOOST_TEST(c.consensus == R"({"status":"ok"})");
  BOOST_TEST(c.evidence == (std::vector<std::string>{"a", "b"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(objects_not_written_by_the_differ_come_out_compact_as_the_router_rendered_them) {
  // Member order kept, white space gone, a repeated key once at its first place with its last value (also
  // at the top: the last telemetry member counts), numbers as Poco read them.
  const auto c = decoded_context(
      R"( { "evidence" : [ "docs/a.json" ] , "telemetry" : {"x":1} , "consensus" : { "status" : "ok" , )"
      R"("agreements" : 4 , "status" : "conflict", "score" : 1.50 , "big" : 1e2 , "neg" : -0 , )"
      R"("nested" : { "z" : [ true , null ] } } , "telemetry" : { "command" : "v\/x" } } )");
  BOOST_TEST(c.telemetry == R"({"command":"v/x"})");
  BOOST_TEST(
      c.consensus ==
      R"({"status":"conflict","agreements":4,"score":1.5,"big":100,"neg":0,"nested":{"z":[true,null]}})");
  BOOST_TEST(c.evidence == std::vector<std::string>{"docs/a.json"}, boost::test_tools::per_element());
}

// The record reader refuses malformed UTF-8 in the record itself, and the escapes of the context text can
// only spell valid code points or lone surrogates: those make the text invalid, as they did for Poco.
BOOST_AUTO_TEST_CASE(lone_surrogates_in_the_context_text_drop_the_whole_context) {
  BOOST_TEST((decoded_context(R"({"telemetry":{"s":"\ud800x"},"consensus":null,"evidence":["a"]})") ==
              event_context{}));
  BOOST_TEST((decoded_context(R"({"telemetry":null,"evidence":["\udc00"]})") == event_context{}));
}

BOOST_AUTO_TEST_CASE(a_deeply_nested_context_decodes_as_no_context_without_crashing) {
  BOOST_TEST((decoded_context("{\"telemetry\":" + std::string(100000, '[') + std::string(100000, ']') +
                              "}") == event_context{}));
}

BOOST_AUTO_TEST_CASE(a_decoded_context_encodes_and_decodes_to_itself) {
  for (const std::string& record :
       {kConflictRecord, kEscapedRecord,
        record_with_context(
            R"( {"telemetry": {"a" : 1.50, "b" : -0.0, "c" : 1e400}, "evidence":["x",2]} )")}) {
    event once, twice;
    BOOST_REQUIRE(store::decode(record, once));
    BOOST_REQUIRE(store::decode(store::encode(once), twice));
    BOOST_TEST((twice.context == once.context));
  }
}

BOOST_AUTO_TEST_CASE(a_record_in_todays_format_renders_the_payload_it_always_did) {
  event e;
  BOOST_REQUIRE(store::decode(kConflictRecord, e));
  const std::string body = router::render_payload(e, "msg_1", 1, "SPEC-KIT-920");
  const std::string tail =
      R"("stage":"plan","status":"conflict","telemetry":{"command":"spec-ops-plan",)"
      R"("session_id":"2025-11-01T09:55:00Z-101","timestamp":"2025-11-01T10:00:00Z","stage":"plan",)"
      R"("status":"passed","path":"docs/t/spec-plan_1.json"},"consensus":{"status":"conflict","agreements":1,)"
      R"("conflicts":2,"stage":"plan","path":"docs/c/spec-plan_synthesis.json",)"
      R"("conflict_points":["Gemini wants the retry queue in LevelDB","Whether tasks.md is rewritten"],)"
      R"("conflicts_truncated":false,"agents":["gemini","claude"],"agents_truncated":false,)"
      R"("telemetry":"/home/dev/code/docs/t/spec-plan_1.json"},)"
      R"("evidence":["docs/c/spec-plan_synthesis.json","docs/t/spec-plan_1.json"]})";
  BOOST_TEST(body.substr(body.size() - tail.size()) == tail);
}
