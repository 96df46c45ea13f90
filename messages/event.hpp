#pragma once
// differ -> router: one detected event (task transition, stage or pipeline completion, consensus conflict).
// Persisted by the differ under evt/<id> in the same LevelDB batch as the task states that produced it,
// before it is sent.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace spec_notify {

namespace event_type {
inline constexpr const char* task_transitioned = "spec-kit.task.transitioned";
inline constexpr const char* stage_completed = "spec-auto.stage.completed";
inline constexpr const char* pipeline_completed = "spec-auto.pipeline.completed";
// A consensus synthesis that reports a conflict (issue 17 item 5). Opt-in: only subscriptions that list it
// receive it (router::matches).
inline constexpr const char* consensus_conflict = "spec-auto.consensus.conflict";
inline constexpr const char* test = "spec-notify.test";
}  // namespace event_type

// What the payload says about the SPEC's evidence when the event was detected: its `telemetry`, `consensus`
// and `evidence` members. Built by the differ (differ/spec_context.hpp) and spliced into each delivery body
// as is (router/payload.cpp), so the objects are rendered once and never parsed again.
// INVARIANT: telemetry and consensus are each "null" or one compact JSON object whose strings went through
// util::append_json_string (valid UTF-8, escaped); our own code writes them (the differ, store::decode),
// never outside input. Evidence paths are plain text, escaped when rendered.
struct event_context {
  std::string telemetry = "null";
  std::string consensus = "null";
  std::vector<std::string> evidence;  // repo-relative paths, in payload order

  friend bool operator==(const event_context& a, const event_context& b) {
    return a.telemetry == b.telemetry && a.consensus == b.consensus && a.evidence == b.evidence;
  }
  friend bool operator!=(const event_context& a, const event_context& b) { return !(a == b); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_context& x) {
  return f(caf::meta::type_name("event_context"), x.telemetry, x.consensus, x.evidence);
}

struct event {
  std::string id;              // evt_<random>
  std::string type;            // one of event_type::*
  int64_t occurred_at_ms = 0;  // unix ms when detected
  std::string spec_id;         // full SPEC slug; "" = null
  // Task events.
  std::string task_id, task_title;
  std::string from;        // canonical status; "" = null (row first seen)
  std::string to;          // canonical status
  std::string raw_status;  // the cell text as written
  std::string source;      // file relative to the repo root
  int32_t line = 0;        // 1-based line of the row
  // Stage / pipeline events; consensus-conflict events: the synthesis's stage and status (source = the
  // synthesis; its points, agents and telemetry pointer are in context.consensus).
  std::string stage, status;
  // The SPEC's evidence at detection time (task events) or the run's own (stage, pipeline, conflict events).
  event_context context;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("event"), x.id, x.type, x.occurred_at_ms, x.spec_id, x.task_id, x.task_title,
           x.from, x.to, x.raw_status, x.source, x.line, x.stage, x.status, x.context);
}

}  // namespace spec_notify
