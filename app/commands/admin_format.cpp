// Renderings of admin replies for people (aligned tables) and scripts (JSON). Texts for people pass through
// logging::escape_controls: spec ids, task ids and error texts come from repo content and remote servers,
// and a newline or ESC in them must not forge a row or drive the terminal. JSON has its own escaping.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>

#include "actors/log.hpp"
#include "app/commands/admin_ops.hpp"
#include "app/commands/json_body.hpp"

namespace spec_notify::app {
namespace {

using table = std::vector<std::vector<std::string>>;

void print_table(std::ostream& os, table rows) {
  for (auto& r : rows)
    for (auto& cell : r) cell = logging::escape_controls(cell);
  std::vector<size_t> widths;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], r[i].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 2, ' ');
    }
    os << line << "\n";
  }
}

std::string clip(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}
std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

std::string last_error(const list_row& r) {
  if (r.last_status == 0) return r.last_error;
  auto http = "HTTP " + std::to_string(r.last_status);
  return r.last_error.empty() || r.last_error == http ? http : http + ": " + r.last_error;
}

std::string when(int64_t ms, int64_t now) {
  if (ms == 0) return "now";
  return format_time(ms) + " (" + relative_time(ms, now) + ")";
}

Poco::Dynamic::Var time_or_null(int64_t ms) {
  return ms ? Poco::Dynamic::Var(format_time(ms)) : Poco::Dynamic::Var();
}
Poco::Dynamic::Var text_or_null(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

Poco::JSON::Object::Ptr row_json(const list_row& r) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  bool dead = r.state == "dead";
  o->set("id", r.id);
  o->set("state", r.state);
  o->set("subscription", r.subscription);
  o->set("event", r.event_type);
  o->set("spec", text_or_null(r.spec_id));
  o->set("task", text_or_null(r.task_id));
  o->set("attempts", r.attempts);
  o->set("last_status", r.last_status ? Poco::Dynamic::Var(r.last_status) : Poco::Dynamic::Var());
  o->set("last_error", text_or_null(last_error(r)));
  o->set("last_attempt_at", time_or_null(r.last_attempt_ms));
  o->set("next_attempt_at",
         dead ? Poco::Dynamic::Var() : Poco::Dynamic::Var(format_time(std::max<int64_t>(r.next_at_ms, 0))));
  o->set("dead_at", dead ? time_or_null(r.next_at_ms) : Poco::Dynamic::Var());
  o->set("created_at", time_or_null(r.created_at_ms));
  o->set("replay", r.replay);
  if (!r.body.empty()) o->set("body", json_body(r.body));
  return o;
}

// {"pending":[...],"dead":[...]}, for rows_json and list_json to stringify.
Poco::JSON::Object::Ptr rows_object(const std::vector<list_row>& rows) {
  Poco::JSON::Array::Ptr pending = new Poco::JSON::Array, dead = new Poco::JSON::Array;
  for (const auto& r : rows) (r.state == "dead" ? dead : pending)->add(row_json(r));
  Poco::JSON::Object::Ptr top = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  top->set("pending", pending);
  top->set("dead", dead);
  return top;
}

}  // namespace

std::string format_time(int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string relative_time(int64_t unix_ms, int64_t now_ms) {
  int64_t d = (unix_ms - now_ms) / 1000;
  if (d == 0) return "now";
  int64_t a = d < 0 ? -d : d;
  std::string amount = a < 120      ? std::to_string(a) + "s"
                       : a < 7200   ? std::to_string(a / 60) + "m"
                       : a < 172800 ? std::to_string(a / 3600) + "h"
                                    : std::to_string(a / 86400) + "d";
  return d > 0 ? "in " + amount : amount + " ago";
}

void print_rows(std::ostream& os, const std::vector<list_row>& rows, bool failed_only, int64_t now_ms) {
  table pending{{"ID", "SUBSCRIPTION", "EVENT", "SPEC", "TASK", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"}};
  table dead{{"ID", "SUBSCRIPTION", "EVENT", "SPEC", "TASK", "ATTEMPTS", "DEAD SINCE", "LAST ERROR"}};
  for (const auto& r : rows) {
    bool is_dead = r.state == "dead";
    auto attempts = std::to_string(r.attempts) + (r.replay ? " (replay)" : "");
    auto time =
        is_dead ? when(r.next_at_ms, now_ms) : (r.next_at_ms <= now_ms ? "now" : when(r.next_at_ms, now_ms));
    (is_dead ? dead : pending)
        .push_back({r.id, r.subscription, r.event_type, or_dash(clip(r.spec_id, 40)), or_dash(r.task_id),
                    attempts, time, or_dash(clip(last_error(r), 70))});
  }
  if (!failed_only) {
    os << "Pending deliveries: " << pending.size() - 1 << "\n";
    if (pending.size() > 1) print_table(os, pending);
    os << "\n";
  }
  os << "Dead letters: " << dead.size() - 1 << "\n";
  if (dead.size() > 1) {
    print_table(os, dead);
    os << "Replay with: spec-notify --replay ID... (or --replay --failed)\n";
  }
}

std::string rows_json(const std::vector<list_row>& rows) {
  std::ostringstream os;
  rows_object(rows)->stringify(os);
  return os.str();
}

void print_open_circuits(std::ostream& os, const std::vector<status_row>& statuses, int64_t now_ms) {
  for (const auto& row : statuses) {
    const auto& s = row.live;
    if (s.circuit != "open") continue;
    os << "circuit OPEN for " << logging::escape_controls(s.name) << " since "
       << when(s.circuit_since_ms, now_ms)
       << ": pending deliveries wait for a probe and do not use up attempts\n";
  }
}

void print_list(std::ostream& os, const admin_reply& reply, bool failed_only, int64_t now_ms) {
  std::ostringstream circuits;
  print_open_circuits(circuits, reply.statuses, now_ms);
  if (!circuits.str().empty()) os << circuits.str() << "\n";
  print_rows(os, reply.rows, failed_only, now_ms);
}

std::string list_json(const admin_reply& reply) {
  auto top = rows_object(reply.rows);
  Poco::JSON::Array::Ptr circuits = new Poco::JSON::Array;
  for (const auto& row : reply.statuses) {
    if (row.live.circuit != "open") continue;
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("subscription", row.live.name);
    o->set("state", row.live.circuit);
    o->set("since", time_or_null(row.live.circuit_since_ms));
    circuits->add(o);
  }
  top->set("circuits", circuits);
  std::ostringstream os;
  top->stringify(os);
  return os.str();
}

bool print_replay(std::ostream& os, const admin_reply& reply) {
  size_t ok = 0;
  table t{{"ID", "SUBSCRIPTION", "RESULT"}};
  for (const auto& r : reply.replayed) {
    ok += r.ok ? 1 : 0;
    t.push_back({r.id, or_dash(r.subscription), r.result});
  }
  if (reply.replayed.empty()) {
    os << "no dead letters matched; nothing replayed\n";
    return true;
  }
  print_table(os, t);
  os << ok << " of " << reply.replayed.size() << " replayed (same webhook-id; attempts start again at 1)\n";
  return ok == reply.replayed.size();
}

void print_status(std::ostream& os, const admin_reply& reply, int64_t now_ms) {
  os << logging::escape_controls(reply.message) << "\n";
  table t{{"SUBSCRIPTION", "STATE", "PENDING", "IN FLIGHT", "DELIVERED", "FAILED", "DEAD LETTERS",
           "NEXT ATTEMPT", "NOTE"}};
  for (const auto& row : reply.statuses) {
    const auto& s = row.live;
    std::string state = !row.running          ? "stopped"
                        : !s.disabled.empty() ? "disabled"
                        : s.paused            ? "paused"
                                              : "active";
    std::string note = row.running ? s.disabled : row.note;
    if (row.running && s.circuit == "open") {
      state = "circuit open";
      note = "circuit open since " + format_time(s.circuit_since_ms) + " (" +
             relative_time(s.circuit_since_ms, now_ms) + "), " + std::to_string(s.consecutive_failures) +
             " failed in a row" + (note.empty() ? "" : "; " + note);
    }
    t.push_back({s.name, state, std::to_string(s.pending),
                 std::to_string(s.in_flight) + "/" + std::to_string(s.max_in_flight),
                 std::to_string(s.delivered), std::to_string(s.failed_attempts),
                 std::to_string(row.dead_letters),
                 s.next_attempt_ms ? relative_time(s.next_attempt_ms, now_ms) : "-", or_dash(note)});
  }
  if (reply.statuses.empty())
    os << "no subscriptions configured\n";
  else
    print_table(os, t);
}

}  // namespace spec_notify::app
