#define BOOST_TEST_MODULE payload
#include "actors/router/payload.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <ctime>

using spec_notify::event;
namespace et = spec_notify::event_type;
using namespace spec_notify::router;

namespace {

constexpr int64_t t0 = 1795568523456;  // 2026-11-25T01:02:03.456Z

event task_event() {
  event e;
  e.id = "evt_abc";
  e.type = et::task_transitioned;
  e.occurred_at_ms = t0;
  e.spec_id = "SPEC-KIT-075-add-webhook-notification-system-for";
  e.task_id = "T63";
  e.task_title = "Sign payloads";
  e.from = "In Progress";
  e.to = "Done";
  e.raw_status = "**DONE**";
  e.source = "SPEC.md";
  e.line = 42;
  return e;
}

event stage_event(const char* type) {
  event e;
  e.id = "evt_st";
  e.type = type;
  e.occurred_at_ms = t0;
  e.spec_id = "SPEC-OPS-004-integrated-coder-hooks";
  e.stage = "implement";
  e.status = "passed";
  return e;
}

// Parses with Poco (a strict, independent parser) and returns the root object; fails the test when invalid.
Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser parser;
  Poco::JSON::Object::Ptr obj;
  BOOST_REQUIRE_NO_THROW(obj = parser.parse(text).extract<Poco::JSON::Object::Ptr>());
  return obj;
}

bool is_valid_utf8(const std::string& s) {
  return sanitize_utf8(s) == s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(task_payload_has_every_field_in_contract_order) {
  const std::string expected =
      R"({"schema_version":1,"type":"spec-kit.task.transitioned","event_id":"evt_abc","delivery_id":"msg_1",)"
      R"("sequence":3,"ordering_key":"SPEC-KIT-075-add-webhook-notification-system-for/T63",)"
      R"("occurred_at":"2026-11-25T01:02:03.456Z",)"
      R"("spec":{"id":"SPEC-KIT-075-add-webhook-notification-system-for","key":"SPEC-KIT-075"},)"
      R"("task":{"id":"T63","title":"Sign payloads","from":"In Progress","to":"Done","raw_status":"**DONE**",)"
      R"("source":"SPEC.md","line":42},"telemetry":null,"consensus":null,"evidence":[]})";
  BOOST_TEST(render_payload(task_event(), "msg_1", 3,
                            "SPEC-KIT-075-add-webhook-notification-system-for/T63") == expected);
}

BOOST_AUTO_TEST_CASE(first_seen_task_renders_from_as_null) {
  event e = task_event();
  e.from.clear();
  const std::string body = render_payload(e, "msg_1", 1, "T1");
  BOOST_TEST(body.find(R"("title":"Sign payloads","from":null,"to":"Done")") != std::string::npos);
  BOOST_TEST(parse(body)->getObject("task")->isNull("from"));
}

BOOST_AUTO_TEST_CASE(event_without_spec_renders_spec_as_null) {
  event e = task_event();
  e.spec_id.clear();
  BOOST_TEST(render_payload(e, "msg_1", 1, "T1")
                 .find(R"("occurred_at":"2026-11-25T01:02:03.456Z","spec":null,"task":)") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(stage_and_pipeline_payloads_carry_stage_and_status_instead_of_task) {
  for (const char* type : {et::stage_completed, et::pipeline_completed}) {
    const std::string body =
        render_payload(stage_event(type), "msg_2", 7, "SPEC-OPS-004-integrated-coder-hooks");
    const std::string expected =
        std::string(R"({"schema_version":1,"type":")") + type +
        R"(","event_id":"evt_st","delivery_id":"msg_2","sequence":7,)"
        R"("ordering_key":"SPEC-OPS-004-integrated-coder-hooks","occurred_at":)"
        R"("2026-11-25T01:02:03.456Z","spec":{"id":"SPEC-OPS-004-integrated-coder-hooks",)"
        R"("key":"SPEC-OPS-004"},"stage":"implement","status":"passed",)"
        R"("telemetry":null,"consensus":null,"evidence":[]})";
    BOOST_TEST(body == expected);
  }
}

BOOST_AUTO_TEST_CASE(test_event_is_task_shaped_only_when_it_has_a_task) {
  event e = task_event();
  e.type = et::test;
  auto obj = parse(render_payload(e, "msg_3", 1, "T1"));
  BOOST_TEST(obj->has("task"));
  BOOST_TEST(!obj->has("stage"));
  BOOST_TEST(obj->getValue<std::string>("type") == "spec-notify.test");

  event s = stage_event(et::test);
  obj = parse(render_payload(s, "msg_3", 1, "T1"));
  BOOST_TEST(!obj->has("task"));
  BOOST_TEST(obj->getValue<std::string>("stage") == "implement");
  BOOST_TEST(obj->getValue<std::string>("status") == "passed");
}

BOOST_AUTO_TEST_CASE(context_objects_are_spliced_in_as_the_differ_wrote_them_and_paths_escaped) {
  event e = task_event();
  e.context.telemetry =
      R"({"command":"spec-ops-validate","status":"passed","score":0.5,"nested":{"z":1,"a":[true,null]}})";
  e.context.consensus = R"({"status":"ok","agreements":4,"conflicts":0})";
  e.context.evidence = {"docs/a.json", "docs/b \"c\".json"};
  const std::string body = render_payload(e, "msg_1", 1, "T1");
  const std::string tail =
      R"("telemetry":{"command":"spec-ops-validate","status":"passed","score":0.5,"nested":{"z":1,"a":[true,null]}},)"
      R"("consensus":{"status":"ok","agreements":4,"conflicts":0},"evidence":["docs/a.json","docs/b \"c\".json"]})";
  BOOST_TEST(body.size() > tail.size());
  BOOST_TEST(body.substr(body.size() - tail.size()) == tail);
  parse(body);
}

// Damaged or invalid contexts in evt/ records are store::decode's (tests/actors/store/event_record_test.cpp):
// they reach the payload as this default context.
BOOST_AUTO_TEST_CASE(a_default_or_empty_context_renders_nulls_and_empty_evidence) {
  const std::string empty_tail = R"("telemetry":null,"consensus":null,"evidence":[]})";
  event e = task_event();
  e.context = {};
  std::string body = render_payload(e, "msg_1", 1, "T1");
  BOOST_TEST(body.substr(body.size() - empty_tail.size()) == empty_tail);
  e.context.telemetry = e.context.consensus = "";
  body = render_payload(e, "msg_1", 1, "T1");
  BOOST_TEST(body.substr(body.size() - empty_tail.size()) == empty_tail);
}

BOOST_AUTO_TEST_CASE(quotes_backslashes_and_control_characters_are_escaped) {
  event e = task_event();
  e.task_title = std::string("a\"b\\c\nd\te\r\x01\x1f\x7f") + '\0' + "end";
  e.raw_status = "\xE2\x80\xA8|\xE2\x80\xA9";  // U+2028, U+2029
  const std::string body = render_payload(e, "msg_1", 1, "T1");
  BOOST_TEST(body.find(R"("title":"a\"b\\c\nd\te\r\u0001\u001F\u007F\u0000end")") != std::string::npos);
  BOOST_TEST(body.find(R"("raw_status":"\u2028|\u2029")") != std::string::npos);
  BOOST_TEST(parse(body)->getObject("task")->getValue<std::string>("title") ==
             std::string("a\"b\\c\nd\te\r\x01\x1f\x7f") + '\0' + "end");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_bytes_become_replacement_characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  BOOST_TEST(sanitize_utf8("ok \xC3\xA9 \xF0\x9F\x9A\x80") == "ok \xC3\xA9 \xF0\x9F\x9A\x80");  // valid kept
  BOOST_TEST(sanitize_utf8("a\xFF"
                           "b") == "a" + fffd + "b");
  BOOST_TEST(sanitize_utf8("\xC0\xAF") == fffd + fffd);                        // overlong '/'
  BOOST_TEST(sanitize_utf8("\xED\xA0\x80") == fffd + fffd + fffd);             // surrogate D800
  BOOST_TEST(sanitize_utf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // > U+10FFFF
  BOOST_TEST(sanitize_utf8("x\xE2\x82") == "x" + fffd + fffd);                 // truncated at the end

  event e = task_event();
  e.task_title = "bad \xFF\xFE title";
  e.spec_id = "SPEC-\xC3\x28-1";
  e.context.evidence = {"p\xE2\x82"};
  const std::string body = render_payload(e, "msg_\x80", 1, "T1");
  BOOST_TEST(is_valid_utf8(body));
  BOOST_TEST(body.find("\"title\":\"bad " + fffd + fffd + " title\"") != std::string::npos);
  BOOST_TEST(body.find("\"delivery_id\":\"msg_" + fffd + "\"") != std::string::npos);
  BOOST_TEST(body.find("\"evidence\":[\"p" + fffd + fffd + "\"]") != std::string::npos);
  parse(body);
}

BOOST_AUTO_TEST_CASE(iso8601_has_milliseconds_and_utc_suffix) {
  BOOST_TEST(iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(iso8601_ms(t0) == "2026-11-25T01:02:03.456Z");
  BOOST_TEST(iso8601_ms(951782400000) == "2000-02-29T00:00:00.000Z");  // leap day
  BOOST_TEST(iso8601_ms(1704067199999) == "2023-12-31T23:59:59.999Z");
  BOOST_TEST(iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
}

// iso8601_ms formats digits by hand: it must agree with the C library's gmtime_r for any time of years
// 0000-9999 (spread over that range, plus every millisecond around a few boundaries).
BOOST_AUTO_TEST_CASE(iso8601_agrees_with_gmtime_over_the_whole_four_digit_range) {
  auto reference = [](int64_t ms) {
    int64_t secs = ms / 1000, milli = ms % 1000;
    if (milli < 0) milli += 1000, --secs;
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(milli));
    return std::string(buf);
  };
  const int64_t first = -62167219200000;  // 0000-01-01T00:00:00.000Z
  const int64_t last = 253402300799999;   // 9999-12-31T23:59:59.999Z
  int64_t checked = 0;
  for (int64_t ms = first; ms <= last; ms += 7777777777 + checked % 1000, ++checked)
    BOOST_REQUIRE_EQUAL(iso8601_ms(ms), reference(ms));
  for (int64_t around : {int64_t{0}, int64_t{951782400000}, int64_t{4107542400000}, last - 5000})
    for (int64_t ms = around - 2000; ms <= around + 2000; ++ms)
      BOOST_REQUIRE_EQUAL(iso8601_ms(ms), reference(ms));
  BOOST_TEST(checked > 30000);
}

BOOST_AUTO_TEST_CASE(json_normalize_keeps_order_redacts_keys_and_rejects_garbage) {
  BOOST_TEST(json_normalize(R"( { "b" : 1 , "a" : [ "x" , false ] } )") == R"({"b":1,"a":["x",false]})");
  BOOST_TEST(json_normalize(R"({"headers":{"Webhook-Signature":"v1,abc","x":"y"},"body":"{}"})",
                            {"webhook-signature"}) ==
             R"({"headers":{"Webhook-Signature":"[redacted]","x":"y"},"body":"{}"})");
  BOOST_TEST(json_normalize("{\"a\":1,\"b\":0,\"a\":2}") == R"({"a":2,"b":0})");
  BOOST_TEST(json_normalize("-12.5e3") == "-12500");
  BOOST_TEST(json_normalize("18446744073709551615") == "18446744073709551615");
  BOOST_TEST(json_normalize(R"("s")") == R"("s")");
  BOOST_TEST(json_normalize("1,2") == "");
  BOOST_TEST(json_normalize("[1],[2") == "");
  BOOST_TEST(json_normalize("{") == "");
  BOOST_TEST(json_normalize("") == "");
}
