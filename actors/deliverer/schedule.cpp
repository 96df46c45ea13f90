#include "actors/deliverer/schedule.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <malloc.h>

#include "actors/deliverer/retry_policy.hpp"
#include "actors/log.hpp"
#include "actors/store/records.hpp"

namespace spec_notify::deliverer {

schedule::schedule(store::db_ptr db, config::subscription_settings sub)
    : db_(std::move(db)), sub_(std::move(sub)), rng_(std::random_device{}()) {}

size_t schedule::load() {
  db_->get(store::disabled_key(sub_.name), disabled_reason_);
  // Only id and next attempt time stay in memory (take_due reads the record again), so the start reads just
  // those fields instead of decoding every body: a 100k backlog loads in a fraction of the full-decode time.
  db_->scan("dlv/", [&](const std::string&, const std::string& value) {
    delivery d;
    if (store::peek_schedule_fields(value, d.id, d.subscription, d.next_at_ms)) {
      if (d.subscription == sub_.name) add(std::move(d));
    } else if (store::decode(value, d) && d.subscription == sub_.name) {
      add(std::move(d));
    }
    return true;
  });
  ::malloc_trim(0);  // the scan's transient buffers (a large backlog) need not stay resident
  return items_.size();
}

bool schedule::add(delivery d) {
  if (items_.count(d.id)) return false;
  due_.insert({d.next_at_ms, d.id});
  items_.emplace(d.id, entry{d.next_at_ms});
  return true;
}

std::vector<delivery> schedule::take_due(int64_t now, size_t n) {
  std::vector<delivery> out;
  while (out.size() < n && !due_.empty() && due_.begin()->first <= now) {
    auto id = due_.begin()->second;
    due_.erase(due_.begin());
    std::string text;
    delivery d;
    if (!db_->get(store::delivery_key(id), text) || !store::decode(text, d)) {
      // Gone from the spool (replayed or pruned by another path) or unreadable: nothing to send.
      logging::warn("deliverer/" + sub_.name, "delivery " + id + " is no longer in the spool; skipped");
      items_.erase(id);
      continue;
    }
    flying_[id] = d;
    out.push_back(std::move(d));
  }
  return out;
}

int64_t schedule::next_due() const {
  return due_.empty() ? std::numeric_limits<int64_t>::max() : due_.begin()->first;
}

void schedule::persist(const store::batch& b, store::durability dur) {
  if (auto err = db_->write(b, dur); !err.empty())
    logging::error("deliverer/" + sub_.name, "cannot update the spool in " + db_->dir() + ": " + err);
}

delivery_outcome schedule::outcome_for(const delivery& d, outcome_kind k, const attempt_record& a) const {
  delivery_outcome o;
  o.delivery_id = d.id;
  o.subscription = d.subscription;
  o.event_type = d.event_type;
  o.spec_id = d.spec_id;
  o.task_id = d.task_id;
  o.kind = static_cast<int32_t>(k);
  o.attempt = a;
  o.next_at_ms = d.next_at_ms;
  o.replay = d.replay;
  return o;
}

delivery_outcome schedule::complete(const attempt_result& r, int64_t now) {
  auto fly = flying_.find(r.delivery_id);
  if (fly == flying_.end()) return {};
  delivery d = std::move(fly->second);
  flying_.erase(fly);
  auto it = items_.find(r.delivery_id);
  if (it == items_.end()) return {};
  d.attempts = std::max(d.attempts, r.attempt.attempt);
  d.history.push_back(r.attempt);
  store::batch b;
  switch (classify(r.attempt.status_code)) {
    case response_class::delivered: {
      // Buffered is enough: losing this delete to a power cut only re-sends under the same webhook-id.
      b.del(store::delivery_key(d.id));
      persist(b, store::durability::buffered);
      auto o = outcome_for(d, outcome_kind::delivered, r.attempt);
      items_.erase(it);
      return o;
    }
    case response_class::disable: {
      disabled_reason_ = "endpoint answered 410 Gone";
      d.next_at_ms = now;
      b.put(store::disabled_key(sub_.name), disabled_reason_);
      b.put(store::delivery_key(d.id), store::encode(d));
      persist(b, store::durability::synced);
      it->second.next_at_ms = d.next_at_ms;
      due_.insert({d.next_at_ms, d.id});
      return outcome_for(d, outcome_kind::disabled, r.attempt);
    }
    case response_class::retry:
    case response_class::throttled: break;
  }
  if (d.attempts >= sub_.retry.max_attempts) {
    d.next_at_ms = now;  // dead letters keep the time they died in next_at_ms
    b.del(store::delivery_key(d.id));
    b.put(store::dead_key(d.id), store::encode(d));
    persist(b, store::durability::synced);
    auto o = outcome_for(d, outcome_kind::dead_lettered, r.attempt);
    items_.erase(it);
    return o;
  }
  backoff_params p{sub_.retry.max_attempts, sub_.retry.initial_backoff, sub_.retry.max_backoff,
                   sub_.retry.multiplier};
  auto delay = full_jitter_backoff(d.attempts, p, rng_);
  std::chrono::milliseconds retry_after{0};
  if (!r.retry_after.empty() && classify(r.attempt.status_code) == response_class::throttled &&
      parse_retry_after(r.retry_after, std::chrono::system_clock::now(), retry_after))
    delay = std::min(retry_after, sub_.retry.max_backoff);
  d.next_at_ms = now + delay.count();
  b.put(store::delivery_key(d.id), store::encode(d));
  persist(b, store::durability::buffered);
  it->second.next_at_ms = d.next_at_ms;
  due_.insert({d.next_at_ms, d.id});
  return outcome_for(d, outcome_kind::retrying, r.attempt);
}

delivery_outcome schedule::complete_dry_run(const delivery& d, int64_t now) {
  flying_.erase(d.id);
  attempt_record a{d.attempts + 1, now, 0, "", 0};
  auto o = outcome_for(d, outcome_kind::dry_run, a);
  store::batch b;
  b.del(store::delivery_key(d.id));
  persist(b, store::durability::buffered);
  items_.erase(d.id);
  return o;
}

void schedule::enable(int64_t now) {
  if (!disabled()) return;
  disabled_reason_.clear();
  store::batch b;
  b.del(store::disabled_key(sub_.name));
  persist(b, store::durability::synced);
  std::set<std::pair<int64_t, std::string>> refreshed;
  for (const auto& [at, id] : due_) refreshed.insert({std::min(at, now), id});
  due_.swap(refreshed);
}

}  // namespace spec_notify::deliverer
