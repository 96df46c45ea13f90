#include "actors/router/fan_out.hpp"

#include "actors/router/ordering.hpp"
#include "actors/store/records.hpp"
#include "actors/util/ids.hpp"

namespace spec_notify::router {

fan_out::fan_out(store::db_ptr db, const std::vector<config::subscription_settings>& subs,
                 chunk_limits limits)
    : db_(std::move(db)), limits_(limits) {
  for (const auto& s : subs) {
    std::string disabled;
    if (!s.disabled_reason.empty())
      disabled = "disabled (" + s.disabled_reason + ")";
    else if (!s.enabled)
      disabled = "disabled (enabled = false)";
    auto compiled = body_template::for_subscription(s);
    // The loader checked the template's syntax, so this only happens to a settings value built by hand.
    if (!compiled && disabled.empty()) disabled = "disabled (" + compiled.message() + ")";
    std::shared_ptr<body_template> body = compiled ? std::move(*compiled) : nullptr;
    targets_.push_back(
        {s.name, filter{s.events, s.statuses, s.specs, s.tasks}, disabled, s.ordering, std::move(body)});
  }
}

std::string fan_out::describe_untaken(const event& e) const {
  std::string what = e.type == event_type::task_transitioned
                         ? e.task_id + " " + (e.from.empty() ? "(new)" : e.from) + " -> " + e.to
                         : e.type + (e.stage.empty() ? "" : " " + e.stage);
  std::string line = what + " (" + (e.spec_id.empty() ? "no SPEC" : e.spec_id) +
                     (e.source.empty() ? "" : ", " + e.source + ":" + std::to_string(e.line)) +
                     ") taken by no subscription: ";
  if (targets_.empty()) return line + "none configured";
  bool first = true;
  for (const auto& t : targets_) {
    line += (first ? "" : "; ") + t.name + ": " + (t.disabled.empty() ? mismatch_reason(t.f, e) : t.disabled);
    first = false;
  }
  return line;
}

int64_t fan_out::last_sequence(const std::string& seq_key) {
  if (auto it = uncommitted_.find(seq_key); it != uncommitted_.end()) return it->second;
  if (auto it = committed_.find(seq_key); it != committed_.end()) return it->second;
  std::string text;
  int64_t last = 0;
  if (db_->get(seq_key, text)) {
    try {
      last = std::stoll(text);
    } catch (const std::exception&) {
      last = 0;  // not written by us: numbering of this key starts again
    }
  }
  // One entry per (subscription, key) seen: bounded by the repo's tasks; the store stays the truth, so the
  // cache may be dropped whenever it grows large.
  if (committed_.size() >= 200000) committed_.clear();
  committed_[seq_key] = last;
  return last;
}

status fan_out::commit(spool::changes chunk) {
  return spool::apply(*db_, chunk);
}

fan_out::chunk fan_out::next_chunk(const std::vector<event>& events, size_t from,
                                   std::vector<std::string>* untaken) {
  chunk c;
  size_t in_chunk = 0;
  std::string unused;
  for (c.next = from; c.next < events.size();) {
    const auto& e = events[c.next++];
    // Only events still in the outbox are routed: the same event can reach the router twice (the start-up
    // scan of evt/ racing the differ's first message, or a differ restart), and routing it twice would
    // send it under two webhook-ids. Only the router's chunks delete evt/, and it plans the next chunk only
    // once the previous one is written, so this check is race-free.
    if (!db_->get(store::event_key(e.id), unused)) continue;
    bool taken = false;
    for (const auto& t : targets_) {
      if (!t.disabled.empty() || !matches(t.f, e)) continue;
      taken = true;
      delivery d;
      d.id = util::random_id("msg_");
      d.subscription = t.name;
      d.event_id = e.id;
      d.event_type = e.type;
      d.spec_id = e.spec_id;
      d.task_id = e.task_id;
      d.ordering_key = ordering_key(e, t.ordering);
      const std::string seq_key = store::sequence_key(t.name, d.ordering_key);
      d.sequence = last_sequence(seq_key) + 1;
      uncommitted_[seq_key] = d.sequence;
      d.body = t.body->render(e, d.id, d.sequence, d.ordering_key);
      d.created_at_ms = e.occurred_at_ms;
      d.next_at_ms = 0;  // due now
      c.changes.add(d);
      c.deliveries[t.name].push_back(std::move(d));
      ++in_chunk;
    }
    if (!taken && untaken) untaken->push_back(describe_untaken(e));
    c.changes.consume_event(e.id);
    // Chunks end between events only: an event and all of its deliveries are one atomic step.
    if (in_chunk >= limits_.deliveries || c.changes.bytes() >= limits_.bytes) break;
  }
  // One put per key and chunk, with its last number (a SPEC-keyed burst numbers one key many times).
  for (const auto& [k, v] : uncommitted_) c.changes.set_sequence(k, v);
  return c;
}

void fan_out::written() {
  for (auto& [k, v] : uncommitted_) committed_[k] = v;
  uncommitted_.clear();
}

void fan_out::not_written() {
  uncommitted_.clear();  // the numbers of the failed chunk are given again when its events are re-routed
}

status fan_out::route(const std::vector<event>& events, routed& out, std::vector<std::string>* untaken) {
  for (size_t from = 0; from < events.size();) {
    chunk c = next_chunk(events, from, untaken);
    from = c.next;
    if (c.changes.empty()) continue;
    if (auto st = commit(std::move(c.changes)); !st) {
      not_written();
      return st;
    }
    written();
    for (auto& [name, list] : c.deliveries) {
      auto& dst = out[name];
      dst.reserve(dst.size() + list.size());
      for (auto& d : list) dst.push_back(std::move(d));
    }
  }
  return status::success();
}

std::vector<event> fan_out::leftovers() const {
  std::vector<event> events;
  db_->scan(store::event_prefix, [&](const std::string&, const std::string& value) {
    event e;
    if (store::decode(value, e)) events.push_back(std::move(e));
    return true;
  });
  return events;
}

}  // namespace spec_notify::router
