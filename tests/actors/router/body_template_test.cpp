// Body templates (issue 17 item 2): a template renders over the payload v1 fields, every value
// JSON-string-escaped (never HTML), so hostile values (quotes, backslashes, newlines, "}}", invalid UTF-8)
// still give valid JSON with the exact text; syntax errors come with line:col.
#define BOOST_TEST_MODULE body_template
#include "actors/router/body_template.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "actors/router/payload.hpp"
#include "config/template_file.hpp"

using namespace spec_notify;
using namespace spec_notify::router;
using Poco::JSON::Object;

namespace {

const std::string kHostile = "say \"hi\" \\ back\nslash\t}} {{task.id}} {{{x}}} <b>&amp; \xF0\x9F\x8E\x89";

event task_event() {
  event e;
  e.id = "evt_1";
  e.type = event_type::task_transitioned;
  e.occurred_at_ms = 1795568523456;
  e.spec_id = "SPEC-KIT-075-webhooks";
  e.task_id = "T63";
  e.task_title = kHostile + "\xFF";  // invalid UTF-8 at the end
  e.from = "In Progress";
  e.to = "Done";
  e.raw_status = "**DONE**";
  e.source = "SPEC.md";
  e.line = 42;
  e.context.consensus = R"({"status":"ok","agreements":4,"conflicts":0})";
  e.context.evidence = {"a.json", "b.json"};
  return e;
}

std::unique_ptr<body_template> compile(const std::string& text, std::string* error = nullptr) {
  config::subscription_settings sub;
  sub.name = "t";
  sub.template_file = "/cfg/t.mustache";
  sub.template_text = text;
  auto t = body_template::for_subscription(sub);
  if (error) *error = t.message();
  return t ? std::move(*t) : nullptr;
}

Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser p;
  Poco::Dynamic::Var v;
  BOOST_REQUIRE_NO_THROW(v = p.parse(body));
  return v.extract<Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(hostile_values_are_json_escaped_and_arrive_intact) {
  auto t =
      compile("{\"text\": \"{{task.title}}\", \"raw\": \"{{task.raw_status}}\", \"spec\": \"{{spec.key}}\"}");
  BOOST_REQUIRE(t);
  const std::string body = t->render(task_event(), "msg_1", 3, "task/k");
  const auto o = parse(body);
  // The payload repaired the invalid byte to U+FFFD; everything else is the title as written, not
  // re-read as a template, not HTML-escaped.
  BOOST_TEST(o->getValue<std::string>("text") == kHostile + "\xEF\xBF\xBD");
  BOOST_TEST(o->getValue<std::string>("raw") == "**DONE**");
  BOOST_TEST(o->getValue<std::string>("spec") == "SPEC-KIT-075");
  BOOST_TEST(body.find("&quot;") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_payload_v1_field_is_reachable) {
  auto t = compile(
      "{{type}}|{{event_id}}|{{delivery_id}}|{{sequence}}|{{ordering_key}}|{{occurred_at}}|{{spec.id}}|"
      "{{task.id}}|{{task.from}}|{{task.to}}|{{task.source}}|{{task.line}}|{{consensus.status}}|"
      "{{consensus.agreements}}|{{#evidence}}[{{.}}]{{/evidence}}|{{^telemetry}}no telemetry{{/telemetry}}|"
      "{{#is_task}}task{{/is_task}}{{#is_stage}}stage{{/is_stage}}");
  BOOST_REQUIRE(t);
  BOOST_TEST(t->render(task_event(), "msg_1", 3, "task/k") ==
             "spec-kit.task.transitioned|evt_1|msg_1|3|task/k|2026-11-25T01:02:03.456Z|SPEC-KIT-075-webhooks|"
             "T63|In Progress|Done|SPEC.md|42|ok|4|[a.json][b.json]|no telemetry|task");
}

BOOST_AUTO_TEST_CASE(payload_json_embeds_the_standard_payload_raw) {
  auto t = compile("{\"wrapped\": {{{payload_json}}}}");
  BOOST_REQUIRE(t);
  const event e = task_event();
  const auto o = parse(t->render(e, "msg_1", 3, "task/k"));
  BOOST_TEST(o->getObject("wrapped")->getValue<std::string>("delivery_id") == "msg_1");
  BOOST_TEST(t->render(e, "msg_1", 3, "task/k") ==
             "{\"wrapped\": " + render_payload(e, "msg_1", 3, "task/k") + "}");
}

BOOST_AUTO_TEST_CASE(a_null_from_is_false_and_renders_nothing) {
  auto t = compile("[{{task.from}}]{{^task.from}}new{{/task.from}}");
  BOOST_REQUIRE(t);
  event e = task_event();
  e.from.clear();
  BOOST_TEST(t->render(e, "msg_1", 1, "k") == "[]new");
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_the_template_line_and_column) {
  std::string error;
  BOOST_TEST(
      (compile("{\n  \"a\": \"{{task.id}}\",\n  \"b\": \"{{#task}}{{title}}\"\n}\n", &error) == nullptr));
  BOOST_TEST(error == "template /cfg/t.mustache:3:9: Unclosed section \"task\"", error);
  BOOST_TEST((compile("ok\n  {{task.id", &error) == nullptr));
  BOOST_TEST(error == "template /cfg/t.mustache:2:3: Unclosed tag", error);
  BOOST_TEST((compile("{{/x}}", &error) == nullptr));
  BOOST_TEST(error == "template /cfg/t.mustache:1:1: Unopened section \"x\"", error);
}

BOOST_AUTO_TEST_CASE(locate_template_error_counts_characters_not_bytes) {
  const std::string text = "\xC3\xA9\xC3\xA9{{x";
  const auto e = config::locate_template_error(text, "Unclosed tag at 4");
  BOOST_TEST(e.line == 1);
  BOOST_TEST(e.col == 3);
  BOOST_TEST(e.message == "Unclosed tag");
  const auto whole = config::locate_template_error(text, "something else");
  BOOST_TEST(whole.message == "something else");
  BOOST_TEST(whole.line == 1);
}

BOOST_AUTO_TEST_CASE(the_built_in_templates_parse) {
  for (auto f : {config::body_format::slack, config::body_format::discord, config::body_format::teams,
                 config::body_format::google_chat}) {
    config::subscription_settings sub;
    sub.format = f;
    auto compiled = body_template::for_subscription(sub);
    BOOST_TEST(compiled.ok(), compiled.message());
    BOOST_REQUIRE(compiled);
    auto& t = *compiled;
    BOOST_TEST(!t->standard());
    BOOST_TEST(t->source() == "built-in " + std::string(config::to_string(f)) + " template");
  }
}

BOOST_AUTO_TEST_CASE(a_template_replaces_the_built_in_one_of_its_format) {
  config::subscription_settings sub;
  sub.format = config::body_format::slack;
  sub.template_file = "/cfg/mine.mustache";
  sub.template_text = "{\"text\":\"{{text.summary}}\"}";
  auto compiled = body_template::for_subscription(sub);
  BOOST_REQUIRE(compiled);
  auto& t = *compiled;
  event e = task_event();
  e.task_title = "<x>";
  // Slack-styled helper text, from the subscription's own template.
  BOOST_TEST(parse(t->render(e, "m", 1, "k"))->getValue<std::string>("text") ==
             "SPEC-KIT-075 T63 &lt;x&gt;: In Progress → Done");
}
