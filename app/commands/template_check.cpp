#include "app/commands/template_check.hpp"

#include <algorithm>
#include <cctype>

#include "actors/router/body_template.hpp"
#include "actors/router/payload.hpp"
#include "actors/util/json_text.hpp"

namespace spec_notify::app {
namespace {

// Everything a value can hold that could break a body that does not escape it.
const std::string kHostile = "\"quoted\" back\\slash\nnew line }} {{x}} <!channel> & \xF0\x9F\x8E\x89 \xFF";

event_context sample_context(bool conflict) {
  event_context ctx;
  ctx.consensus = "{\"status\":\"ok\",\"agreements\":4,\"conflicts\":0,\"path\":" +
                  router::json_string("docs/x/consensus/" + kHostile + ".json") + "}";
  if (conflict) {
    std::string points;
    for (int i = 1; i <= 7; ++i) points += std::string(i > 1 ? "," : "") + router::json_string(kHostile);
    ctx.consensus =
        "{\"status\":\"conflict\",\"agreements\":0,\"conflicts\":7,\"stage\":\"spec-plan\",\"path\":" +
        router::json_string("docs/x/" + kHostile + "_synthesis.json") + ",\"conflict_points\":[" + points +
        "],\"conflicts_truncated\":false,\"agents\":[\"gemini\",\"claude\"]," +
        "\"agents_truncated\":false,\"telemetry\":null}";
  }
  ctx.telemetry =
      "{\"command\":\"spec-ops-validate\",\"session_id\":\"s1\",\"timestamp\":\"t\","
      "\"status\":\"passed\",\"path\":" +
      router::json_string("docs/x/evidence/commands/SPEC-KIT-900/" + kHostile + ".json") + "}";
  ctx.evidence = {kHostile};
  return ctx;
}

event sample(const std::string& type) {
  event e;
  e.id = "evt_sample";
  e.type = type;
  e.occurred_at_ms = 1796183939000;
  e.spec_id = "SPEC-KIT-900-" + kHostile;
  const bool conflict = type == event_type::consensus_conflict;
  if (type == event_type::task_transitioned || type == event_type::test) {
    e.task_id = "T1";
    std::string title = kHostile;
    while (title.size() < 2048) title += " " + kHostile;
    e.task_title = title;
    e.from = type == event_type::test ? "" : "In Progress";
    e.to = "Done";
    e.raw_status = "**" + kHostile + "**";
    e.source = "docs/SPEC-KIT-900/tasks.md";
    e.line = 42;
  } else {
    e.stage = conflict ? "spec-plan" : kHostile;
    e.status = conflict ? "conflict" : kHostile;
    if (conflict) e.source = "docs/x/" + kHostile + "_synthesis.json";
  }
  e.context = sample_context(conflict);
  return e;
}

// "{{{name}}}" and "{{&name}}" tags (default delimiters) whose name is not payload_json.
std::vector<std::string> unescaped_tags(const std::string& text) {
  std::vector<std::string> names;
  for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
    size_t start = at + 2;
    std::string close = "}}";
    if (start < text.size() && text[start] == '{') {
      ++start;
      close = "}}}";
    } else if (start < text.size() && text[start] == '&') {
      ++start;
    } else {
      continue;
    }
    const size_t end = text.find(close, start);
    if (end == std::string::npos) break;
    std::string name = text.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name != "payload_json") names.push_back(name);
  }
  return names;
}

}  // namespace

std::vector<event> sample_events(const std::vector<std::string>& types) {
  std::vector<event> out;
  for (const char* known : {event_type::task_transitioned, event_type::stage_completed,
                            event_type::pipeline_completed, event_type::consensus_conflict}) {
    if (std::find(types.begin(), types.end(), known) != types.end()) out.push_back(sample(known));
  }
  out.push_back(sample(event_type::test));
  return out;
}

bool is_json_content_type(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  media.erase(0, media.find_first_not_of(" \t"));
  media.erase(media.find_last_not_of(" \t") + 1);
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return media == "application/json" ||
         (media.size() > 5 && media.compare(media.size() - 5, 5, "+json") == 0);
}

std::vector<config::config_problem> check_subscription_body(const config::subscription_settings& sub,
                                                            const std::string& config_path) {
  std::vector<config::config_problem> problems;
  if (sub.format == config::body_format::standard && sub.template_file.empty()) return problems;
  const std::string label = "subscription '" + sub.name + "': ";
  auto problem = [&](std::string message, bool warning) {
    config::config_problem p;
    p.file = sub.template_file.empty() ? config_path : sub.template_file;
    p.message = label + std::move(message);
    p.warning = warning;
    problems.push_back(std::move(p));
  };
  auto compiled = router::body_template::for_subscription(sub);
  if (!compiled) {
    problem("template does not parse: " + compiled.message(), false);
    return problems;
  }
  const auto& body = *compiled;
  if (!sub.template_file.empty())
    for (const auto& name : unescaped_tags(sub.template_text))
      problem("{{{" + name + "}}} / {{&" + name + "}} writes its value unescaped: use {{" + name +
                  "}} inside a JSON string unless the value is JSON already",
              true);
  const bool json = is_json_content_type(sub.content_type);
  for (const auto& e : sample_events(sub.events)) {
    const std::string payload = router::render_payload(e, "msg_sample", 1, "sample");
    auto out = body->render_json(payload);
    if (!out) {
      problem("rendering a " + e.type + " sample failed: " + out.message(), false);
      continue;
    }
    if (json && !util::parse_json(*out))
      problem(body->source() + " renders invalid JSON for a " + e.type + " sample (content_type " +
                  sub.content_type +
                  "): is every {{value}} inside a JSON string? (values are JSON-escaped, never quoted)",
              false);
  }
  return problems;
}

}  // namespace spec_notify::app
