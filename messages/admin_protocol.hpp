#pragma once
// The admin protocol: what `spec-notify admin`, `--list` and `--replay` send to the daemon's admin actor over
// CAF's middleman (another process), and what comes back. One request type, one reply type: the client sends
// an admin_request and always gets exactly one admin_reply (errors included), so a caller never has to match
// on several message shapes. Every type here is registered in messages/type_ids.cpp (both ends need it).
// No secret ever travels in a reply: rows carry ids, names and error texts, never bodies or signatures.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "messages/admin.hpp"

namespace spec_notify {

// One pending delivery (dlv/) or dead letter (dead/) as `--list` shows it.
struct list_row {
  std::string id, state;  // state: "pending" | "dead"
  std::string subscription, event_type, spec_id, task_id;
  int32_t attempts = 0;
  int32_t last_status = 0;  // HTTP status of the last attempt, 0 when none or no response
  std::string last_error;   // "" when never attempted
  int64_t last_attempt_ms = 0;
  int64_t next_at_ms = 0;  // pending: earliest next attempt (0 = now); dead: when it died
  int64_t created_at_ms = 0;
  bool replay = false;  // re-enqueued from the dead letters at least once
  std::string body;     // the payload v1 JSON, only when the request asked for it (with_body)
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_row& x) {
  return f(caf::meta::type_name("list_row"), x.id, x.state, x.subscription, x.event_type, x.spec_id,
           x.task_id, x.attempts, x.last_status, x.last_error, x.last_attempt_ms, x.next_at_ms,
           x.created_at_ms, x.replay, x.body);
}

// What happened to one id of a replay request.
struct replay_result {
  std::string id;
  std::string result;  // "replayed" | "not found" | "not a dead letter (still pending)" | "failed: ..."
  std::string subscription;
  bool ok = false;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replay_result& x) {
  return f(caf::meta::type_name("replay_result"), x.id, x.result, x.subscription, x.ok);
}

// One subscription of the config as `status` shows it: the live counters of its deliverer (when running)
// plus what the store holds for it.
struct status_row {
  subscription_status live;  // live.name is always set; the counters are 0 when not running
  bool running = false;      // a deliverer runs for it (false: disabled in the config or not responding)
  std::string note;          // why it is not running, "" otherwise
  int32_t dead_letters = 0;  // dead letters stored for it (replayable)
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_row& x) {
  return f(caf::meta::type_name("status_row"), x.live, x.running, x.note, x.dead_letters);
}

// command: "status" | "list" | "replay" | "pause" | "resume" | "reload".
struct admin_request {
  std::string token;  // contents of <state_dir>/admin.token
  std::string command;
  bool failed = false;           // list: dead letters only; replay: every dead letter matching the filters
  std::string subscription;      // list/replay filter; pause/resume: the subscription name
  int64_t since_ms = 0;          // replay --failed: only letters that died at or after this unix ms (0 = any)
  std::vector<std::string> ids;  // replay: explicit delivery ids
  bool with_body = false;        // list: include each delivery's payload (the JSON export)
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_request& x) {
  return f(caf::meta::type_name("admin_request"), x.token, x.command, x.failed, x.subscription, x.since_ms,
           x.ids, x.with_body);
}

struct admin_reply {
  bool ok = true;
  std::string message;  // refusal/error text, or a one-line confirmation (pause, resume, reload)
  std::vector<list_row> rows;
  std::vector<replay_result> replayed;
  std::vector<status_row> statuses;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_reply& x) {
  return f(caf::meta::type_name("admin_reply"), x.ok, x.message, x.rows, x.replayed, x.statuses);
}

}  // namespace spec_notify
