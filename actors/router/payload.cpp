#include "actors/router/payload.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "actors/util/json_text.hpp"
#include "actors/util/spec_key.hpp"

namespace spec_notify::router {

namespace {

using util::append_json_string;
using util::append_json_value;
using util::iso8601_ms;
using util::parse_json;

struct context_parts {
  std::string telemetry = "null", consensus = "null", evidence = "[]";
};

context_parts parse_context(const std::string& context_json) {
  context_parts parts;
  if (context_json.empty()) return parts;
  const auto root = parse_json(context_json);
  if (!root || root->type() != typeid(Poco::JSON::Object::Ptr)) return parts;
  const auto obj = root->extract<Poco::JSON::Object::Ptr>();
  auto object_member = [&](const char* name, std::string& slot) {
    const auto v = obj->get(name);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
      slot.clear();
      append_json_value(slot, v, {});
    }
  };
  object_member("telemetry", parts.telemetry);
  object_member("consensus", parts.consensus);
  const auto ev = obj->get("evidence");
  if (ev.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto arr = ev.extract<Poco::JSON::Array::Ptr>();
    parts.evidence = "[";
    bool first = true;
    for (size_t i = 0; i < arr->size(); ++i) {
      const auto item = arr->get(static_cast<unsigned>(i));
      if (!item.isString()) continue;
      if (!first) parts.evidence += ',';
      first = false;
      append_json_string(parts.evidence, item.extract<std::string>());
    }
    parts.evidence += ']';
  }
  return parts;
}

void append_member(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

void append_task(std::string& out, const spec_notify::event& e) {
  out += ",\"task\":{\"id\":";
  append_json_string(out, e.task_id);
  append_member(out, "title", e.task_title);
  out += ",\"from\":";
  if (e.from.empty())
    out += "null";
  else
    append_json_string(out, e.from);
  append_member(out, "to", e.to);
  append_member(out, "raw_status", e.raw_status);
  append_member(out, "source", e.source);
  out += ",\"line\":" + std::to_string(e.line) + '}';
}

// A conflict event's `consensus` object when its context was lost (an evt/ record damaged on disk): the
// schema promises receivers that object for this type, so it is rebuilt from what the event itself holds,
// with no points and no agents.
std::string bare_conflict(const spec_notify::event& e) {
  std::string out = "{\"status\":";
  append_json_string(out, e.status);
  out += ",\"agreements\":0,\"conflicts\":0";
  append_member(out, "stage", e.stage);
  append_member(out, "path", e.source);
  out +=
      ",\"conflict_points\":[],\"conflicts_truncated\":false,\"agents\":[],\"agents_truncated\":false,"
      "\"telemetry\":null}";
  return out;
}

}  // namespace

std::string render_payload(const spec_notify::event& e, const std::string& delivery_id, int64_t sequence,
                           const std::string& ordering_key) {
  std::string out;
  out.reserve(512 + e.context_json.size());
  out += "{\"schema_version\":1";
  append_member(out, "type", e.type);
  append_member(out, "event_id", e.id);
  append_member(out, "delivery_id", delivery_id);
  out += ",\"sequence\":" + std::to_string(sequence);
  append_member(out, "ordering_key", ordering_key);
  append_member(out, "occurred_at", iso8601_ms(e.occurred_at_ms));
  if (e.spec_id.empty()) {
    out += ",\"spec\":null";
  } else {
    out += ",\"spec\":{\"id\":";
    append_json_string(out, e.spec_id);
    append_member(out, "key", util::spec_key(e.spec_id));
    out += '}';
  }
  const bool task_shaped =
      e.type == event_type::task_transitioned || (e.type == event_type::test && !e.task_id.empty());
  if (task_shaped) {
    append_task(out, e);
  } else {
    append_member(out, "stage", e.stage);
    append_member(out, "status", e.status);
  }
  // Every event of one save (and every subscription's copy of one event) carries the same SPEC context:
  // parse each distinct text once per thread, not once per delivery (a 5,000-row save: one parse, not 5,000).
  thread_local std::string last_context_json;
  thread_local context_parts last_context;
  if (e.context_json != last_context_json || last_context_json.empty()) {
    last_context = parse_context(e.context_json);
    last_context_json = e.context_json;
  }
  context_parts ctx = last_context;
  if (e.type == event_type::consensus_conflict && ctx.consensus == "null") ctx.consensus = bare_conflict(e);
  out += ",\"telemetry\":" + ctx.telemetry;
  out += ",\"consensus\":" + ctx.consensus;
  out += ",\"evidence\":" + ctx.evidence;
  out += '}';
  return out;
}

}  // namespace spec_notify::router
