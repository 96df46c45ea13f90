#include "actors/router/payload.hpp"

#include "actors/util/json_text.hpp"
#include "actors/util/spec_key.hpp"

namespace spec_notify::router {

namespace {

using util::append_json_string;
using util::iso8601_ms;

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

// An empty member (a context assigned "" by hand) must still leave the body valid JSON.
std::string_view object_or_null(const std::string& json) {
  return json.empty() ? std::string_view("null") : std::string_view(json);
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
  out.reserve(512 + e.context.telemetry.size() + e.context.consensus.size() + e.context.evidence.size() * 96);
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
  // The context's objects are compact JSON already (event_context's invariant): spliced in, never parsed.
  const auto& ctx = e.context;
  out += ",\"telemetry\":";
  out += object_or_null(ctx.telemetry);
  out += ",\"consensus\":";
  if (e.type == event_type::consensus_conflict && object_or_null(ctx.consensus) == "null")
    out += bare_conflict(e);
  else
    out += object_or_null(ctx.consensus);
  out += ",\"evidence\":[";
  for (size_t i = 0; i < ctx.evidence.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, ctx.evidence[i]);
  }
  out += "]}";
  return out;
}

}  // namespace spec_notify::router
