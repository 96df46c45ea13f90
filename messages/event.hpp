#pragma once
// differ -> router: one detected event (task transition, stage or pipeline completion, consensus conflict).
// Persisted by the differ under evt/<id> in the same LevelDB batch as the task states that produced it,
// before it is sent.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>

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
  // synthesis; its points, agents and telemetry pointer are in context_json's consensus object).
  std::string stage, status;
  // Snapshot of {"telemetry":...,"consensus":...,"evidence":[...]} for the SPEC at detection time (JSON
  // text).
  std::string context_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("event"), x.id, x.type, x.occurred_at_ms, x.spec_id, x.task_id, x.task_title,
           x.from, x.to, x.raw_status, x.source, x.line, x.stage, x.status, x.context_json);
}

}  // namespace spec_notify
