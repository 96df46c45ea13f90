#include "actors/admin/operations.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

#include "actors/store/find_by_id.hpp"
#include "actors/store/records.hpp"

namespace spec_notify::admin {

list_row to_row(const delivery& d, bool dead) {
  list_row r;
  r.id = d.id;
  r.state = dead ? "dead" : "pending";
  r.subscription = d.subscription;
  r.event_type = d.event_type;
  r.spec_id = d.spec_id;
  r.task_id = d.task_id;
  r.attempts = d.attempts;
  r.next_at_ms = d.next_at_ms;
  r.created_at_ms = d.created_at_ms;
  r.replay = d.replay;
  if (!d.history.empty()) {
    const auto& last = d.history.back();
    r.last_status = last.status_code;
    r.last_error = last.error;
    r.last_attempt_ms = last.at_ms;
  }
  return r;
}

namespace {

void collect(const store::db& db, const store::sub_keyspace& keys, bool dead, const list_filter& filter,
             std::vector<list_row>& out) {
  // One subscription's records are one key range; without a filter, every subscription's.
  const std::string prefix = filter.subscription.empty() ? keys.prefix() : keys.range(filter.subscription);
  db.scan(prefix, [&](const std::string&, const std::string& value) {
    delivery d;
    if (store::decode(value, d) && (filter.subscription.empty() || d.subscription == filter.subscription)) {
      out.push_back(to_row(d, dead));
      if (filter.with_body) out.back().body = std::move(d.body);
    }
    return true;
  });
}

bool by_time(const list_row& a, const list_row& b) {
  return a.next_at_ms != b.next_at_ms ? a.next_at_ms < b.next_at_ms : a.id < b.id;
}

delivery requeued(delivery d) {
  d.attempts = 0;
  d.next_at_ms = 0;
  d.replay = true;
  return d;
}

replay_result result_for(const std::string& id, const std::string& subscription, const std::string& text,
                         bool ok) {
  replay_result r;
  r.id = id;
  r.subscription = subscription;
  r.result = text;
  r.ok = ok;
  return r;
}

// Explicit ids: each one is a dead letter, a still-pending delivery, or unknown.
void select_ids(const store::db& db, const std::vector<std::string>& ids, replay_outcome& out) {
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    std::string text;
    delivery d;
    if (store::find_by_id(db, store::dead_keys, id, text) && store::decode(text, d)) {
      out.results.push_back(result_for(id, d.subscription, "replayed", true));
      out.replayed.push_back(requeued(std::move(d)));
    } else if (store::find_by_id(db, store::pending_keys, id, text) && store::decode(text, d)) {
      // Held back by a 410 disable: replaying it is how the operator says the endpoint is fixed.
      std::string reason;
      if (db.get(store::disabled_key(d.subscription), reason)) {
        out.results.push_back(result_for(id, d.subscription, "replayed (subscription re-enabled)", true));
        out.replayed.push_back(requeued(std::move(d)));
      } else {
        out.results.push_back(result_for(id, d.subscription, "not a dead letter (still pending)", false));
      }
    } else {
      out.results.push_back(result_for(id, "", "not found", false));
    }
  }
}

void select_failed(const store::db& db, const replay_selection& sel, replay_outcome& out) {
  const std::string prefix =
      sel.subscription.empty() ? store::dead_keys.prefix() : store::dead_keys.range(sel.subscription);
  db.scan(prefix, [&](const std::string&, const std::string& value) {
    delivery d;
    if (!store::decode(value, d)) return true;
    if (!sel.subscription.empty() && d.subscription != sel.subscription) return true;
    if (d.next_at_ms < sel.since_ms) return true;  // dead letters keep their time of death in next_at_ms
    out.results.push_back(result_for(d.id, d.subscription, "replayed", true));
    out.replayed.push_back(requeued(std::move(d)));
    return true;
  });
}

}  // namespace

std::vector<list_row> list_deliveries(const store::db& db, const list_filter& filter) {
  std::vector<list_row> pending, dead;
  if (!filter.failed_only) collect(db, store::pending_keys, false, filter, pending);
  collect(db, store::dead_keys, true, filter, dead);
  std::sort(pending.begin(), pending.end(), by_time);
  std::sort(dead.begin(), dead.end(), by_time);
  pending.insert(pending.end(), dead.begin(), dead.end());
  return pending;
}

replay_outcome replay(store::db& db, const replay_selection& sel,
                      const std::function<status(spool::changes)>& write) {
  replay_outcome out;
  if (!sel.ids.empty())
    select_ids(db, sel.ids, out);
  else
    select_failed(db, sel, out);
  if (out.replayed.empty()) return out;
  spool::changes b;
  std::set<std::string> subscriptions;
  for (const auto& d : out.replayed) {
    b.unbury(d);
    subscriptions.insert(d.subscription);
  }
  // A replay re-enables a subscription that a 410 disabled: its queued deliveries go out again too.
  for (const auto& s : subscriptions) {
    std::string reason;
    if (db.get(store::disabled_key(s), reason)) b.clear(s, store::sub_field::disabled);
  }
  out.error = (write ? write(std::move(b)) : spool::apply(db, b)).message();  // "" when written
  if (out.error.empty()) return out;
  out.replayed.clear();
  for (auto& r : out.results)
    if (r.ok) r = result_for(r.id, r.subscription, "failed: cannot write the store: " + out.error, false);
  return out;
}

std::vector<std::pair<std::string, int32_t>> count_dead_letters(const store::db& db) {
  std::map<std::string, int32_t> counts;
  db.scan(store::dead_prefix, [&](const std::string&, const std::string& value) {
    delivery d;
    if (store::decode(value, d)) ++counts[d.subscription];
    return true;
  });
  return {counts.begin(), counts.end()};
}

std::vector<status_row> stored_circuits(const store::db& db, const std::vector<std::string>& subscriptions) {
  std::vector<status_row> out;
  for (const auto& name : subscriptions) {
    std::string text;
    if (!db.get(store::breaker_key(name), text)) continue;
    char* end = nullptr;
    errno = 0;
    const long long since = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || *end != '\0' || since <= 0) continue;
    status_row row;
    row.live.name = name;
    row.live.circuit = "open";
    row.live.circuit_since_ms = since;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace spec_notify::admin
