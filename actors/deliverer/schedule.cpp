#include "actors/deliverer/schedule.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "actors/deliverer/retry_policy.hpp"
#include "actors/log.hpp"
#include "actors/store/records.hpp"
#include "actors/util/clock.hpp"

namespace spec_notify::deliverer {

// After a store write that a delivery's next step depends on failed (disk full): when to try that step again.
constexpr int64_t store_retry_ms = 1000;

schedule::schedule(store::db_ptr db, config::subscription_settings sub, spool::port spool)
    : db_(std::move(db)), sub_(std::move(sub)), spool_(std::move(spool)), rng_(std::random_device{}()) {
  if (!spool_.write) spool_ = spool::direct(db_);
  if (sub_.rate_limit.enabled())
    bucket_.emplace(sub_.rate_limit.count, sub_.rate_limit.per.count(), sub_.rate_limit.burst);
  if (sub_.breaker.enabled)
    breaker_.emplace(sub_.breaker.failures, sub_.breaker.after.count(), sub_.breaker.probe.count());
}

namespace {

bool parse_int64(const std::string& text, int64_t& out) {
  try {
    size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

size_t schedule::load() {
  db_->get(store::disabled_key(sub_.name), disabled_reason_);
  // Policy state that must survive a restart: tokens already spent, and an open circuit.
  std::string text;
  int64_t value = 0;
  if (bucket_ && db_->get(store::rate_key(sub_.name), text) && parse_int64(text, value))
    bucket_->restore(value, util::unix_now_ms());
  if (breaker_ && db_->get(store::breaker_key(sub_.name), text) && parse_int64(text, value))
    breaker_->restore_open(value, util::unix_now_ms());
  std::string flag;
  paused_ = db_->get(store::paused_key(sub_.name), flag);
  loading_ = true;
  // Only id and next attempt time stay in memory (take_due reads the record again), so the start reads just
  // those fields instead of decoding every body: a 100k backlog loads in a fraction of the full-decode time.
  // The keys carry the subscription, so this reads this subscription's records only, not every endpoint's.
  db_->scan(store::pending_keys.range(sub_.name), [&](const std::string&, const std::string& value) {
    delivery d;
    if (store::peek_schedule_fields(value, d.id, d.subscription, d.next_at_ms, &d.ordering_key,
                                    &d.sequence)) {
      if (d.subscription == sub_.name) add(ref_to(d));
    } else if (store::decode(value, d) && d.subscription == sub_.name) {
      add(ref_to(d));
    }
    return true;
  });
  loading_ = false;
  activate_keys();
  ::malloc_trim(0);  // the scan's transient buffers (a large backlog) need not stay resident
  return pending();
}

namespace {

size_t hash_id(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

// Min-heap order for std::push_heap/pop_heap (which build max-heaps): "a after b".
template <class Q>
bool later(const Q& a, const Q& b) {
  return a.at_ms != b.at_ms ? a.at_ms > b.at_ms
                            : a.ticket - b.ticket < UINT32_MAX / 2 && a.ticket != b.ticket;
}

}  // namespace

uint32_t schedule::find(std::string_view id) const {
  if (index_.empty()) return none;
  const size_t mask = index_.size() - 1;
  for (size_t i = hash_id(id) & mask;; i = (i + 1) & mask) {
    const uint32_t s = index_[i];
    if (s == none) return none;
    if (id_of(s) == id) return s;
  }
}

void schedule::index_put(uint32_t s) {
  const size_t mask = index_.size() - 1;
  size_t i = hash_id(id_of(s)) & mask;
  while (index_[i] != none) i = (i + 1) & mask;
  index_[i] = s;
}

uint32_t schedule::insert(std::string_view id) {
  // Keep the index at most half full (a short probe); it is rebuilt at twice the size when it fills.
  if ((pending() + 1) * 2 > index_.size()) {
    std::vector<uint32_t> old(std::max<size_t>(64, index_.size() * 2), none);
    old.swap(index_);
    for (uint32_t s : old)
      if (s != none) index_put(s);
  }
  uint32_t s;
  if (!free_.empty()) {
    s = free_.back();
    free_.pop_back();
  } else {
    s = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[s] = slot{static_cast<uint32_t>(ids_.size()), static_cast<uint32_t>(id.size()), 0, true, false};
  ids_.append(id);
  index_put(s);
  return s;
}

void schedule::remove(uint32_t s) {
  // Backward-shift deletion keeps linear probing free of tombstones.
  const size_t mask = index_.size() - 1;
  size_t i = hash_id(id_of(s)) & mask;
  while (index_[i] != s) i = (i + 1) & mask;
  for (size_t j = (i + 1) & mask; index_[j] != none; j = (j + 1) & mask) {
    const size_t home = hash_id(id_of(index_[j])) & mask;
    // index_[j] may move into the hole at i when its home is not cyclically within (i, j].
    if (((j - home) & mask) >= ((j - i) & mask)) {
      index_[i] = index_[j];
      i = j;
    }
  }
  index_[i] = none;
  garbage_ += slots_[s].id_len;
  slots_[s] = slot{};
  free_.push_back(s);
  maybe_compact();
}

void schedule::enqueue(uint32_t s, int64_t at_ms) {
  slots_[s].flying = false;
  slots_[s].ticket = next_ticket_++;
  queue_.push_back({at_ms, slots_[s].ticket, s});
  std::push_heap(queue_.begin(), queue_.end(), later<queued>);
}

void schedule::maybe_compact() {
  // A drained backlog hands its memory back; a large one that shrank to a quarter is rewritten compactly.
  const size_t live = pending();
  if (live == 0) {
    std::string().swap(ids_);
    std::vector<slot>().swap(slots_);
    std::vector<uint32_t>().swap(free_);
    std::vector<uint32_t>().swap(index_);
    std::vector<queued>().swap(queue_);
    std::unordered_map<uint64_t, std::vector<waiting>>().swap(behind_);
    active_.clear();
    garbage_ = 0;
    return;
  }
  if (slots_.size() < 4096 || live * 4 > slots_.size()) return;
  std::vector<uint32_t> renumber(slots_.size(), none);
  std::string ids;
  ids.reserve(ids_.size() - garbage_);
  std::vector<slot> slots;
  slots.reserve(live);
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (!slots_[s].used) continue;
    renumber[s] = static_cast<uint32_t>(slots.size());
    slot moved = slots_[s];
    moved.id_at = static_cast<uint32_t>(ids.size());
    ids.append(id_of(s));
    slots.push_back(moved);
  }
  for (auto& q : queue_) q.slot = renumber[q.slot];
  for (auto& [key, behind] : behind_)
    for (auto& w : behind) w.slot = renumber[w.slot];
  std::vector<queued>(queue_.begin(), queue_.end()).swap(queue_);  // shrink to fit
  ids_.swap(ids);
  slots_.swap(slots);
  std::vector<uint32_t>().swap(free_);
  garbage_ = 0;
  std::vector<uint32_t>(std::max<size_t>(64, size_t(1) << (64 - __builtin_clzll(live * 2 - 1))), none)
      .swap(index_);
  for (uint32_t s = 0; s < slots_.size(); ++s) index_put(s);
}

bool schedule::add(const delivery_ref& d) {
  if (find(d.id) != none) return false;
  place(insert(d.id), d);
  return true;
}

namespace {

// Min-heap order of a key's waiting deliveries: lowest sequence first.
template <class W>
bool later_in_key(const W& a, const W& b) {
  return a.sequence > b.sequence;
}

}  // namespace

void schedule::place(uint32_t s, const delivery_ref& d) {
  // Records from before ordering existed (sequence 0) and ordering = "none" wait for nothing.
  if (sub_.ordering == config::ordering_mode::none || d.sequence <= 0 || d.ordering_key.empty()) {
    enqueue(s, d.next_at_ms);
    return;
  }
  const uint64_t key = std::hash<std::string>{}(d.ordering_key);
  slots_[s].ordered = true;
  slots_[s].key = key;
  if (loading_) {  // the spool is scanned in id order: sequences are sorted out after the scan
    loaded_.push_back({key, {d.sequence, d.next_at_ms, s}});
    return;
  }
  if (!active_.contains(key)) {
    active_.insert(key);
    enqueue(s, d.next_at_ms);
    return;
  }
  // Behind the head. A replayed dead letter, older than the head, also waits for it: the head may already
  // be on the wire, and it is never taken back.
  auto& behind = behind_[key];
  behind.push_back({d.sequence, d.next_at_ms, s});
  std::push_heap(behind.begin(), behind.end(), later_in_key<waiting>);
}

namespace {

// Takes the lowest sequence out of a key's waiting heap.
template <class W>
W pop_lowest(std::vector<W>& behind) {
  std::pop_heap(behind.begin(), behind.end(), later_in_key<W>);
  const W w = behind.back();
  behind.pop_back();
  return w;
}

}  // namespace

void schedule::activate_keys() {
  // The lowest sequence of each key becomes its head, the rest wait behind it.
  std::sort(loaded_.begin(), loaded_.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.sequence < b.second.sequence;
  });
  for (size_t i = 0; i < loaded_.size(); ++i) {
    const auto& [key, w] = loaded_[i];
    if (i == 0 || loaded_[i - 1].first != key) {
      active_.insert(key);
      enqueue(w.slot, w.at_ms);
    } else {
      auto& behind = behind_[key];
      behind.push_back(w);
      std::push_heap(behind.begin(), behind.end(), later_in_key<waiting>);
    }
  }
  std::vector<std::pair<uint64_t, waiting>>().swap(loaded_);
}

void schedule::retire(uint32_t s) {
  if (slots_[s].ordered) {
    const uint64_t key = slots_[s].key;
    auto it = behind_.find(key);
    if (it == behind_.end()) {
      active_.erase(key);
    } else {
      const waiting w = pop_lowest(it->second);
      if (it->second.empty()) behind_.erase(it);
      enqueue(w.slot, w.at_ms);  // the key stays active: its next delivery is now the head
    }
  }
  remove(s);
}

size_t schedule::keys_waiting() const {
  return behind_.size();
}

size_t schedule::longest_key_queue() const {
  size_t n = 0;
  for (const auto& [key, behind] : behind_) n = std::max(n, behind.size() + 1);
  return n;
}

std::vector<delivery> schedule::take_due(int64_t now, size_t n) {
  std::vector<delivery> out;
  while (out.size() < n && !queue_.empty()) {
    // While open the probe is the earliest queued delivery even if its own backoff has not run out: the
    // probe interval, not each delivery's backoff, paces attempts then.
    if (breaker_ && breaker_->open() ? !breaker_->allows(now) : queue_.front().at_ms > now) break;
    if (bucket_ && bucket_->next_at(now) > now) break;
    const queued q = queue_.front();
    std::pop_heap(queue_.begin(), queue_.end(), later<queued>);
    queue_.pop_back();
    if (!slots_[q.slot].used || slots_[q.slot].flying || slots_[q.slot].ticket != q.ticket) continue;
    std::string id(id_of(q.slot));
    std::string text;
    delivery d;
    // A first attempt right after fan-out finds the record as the router had it written; else the store.
    std::optional<delivery> fresh;
    if (spool_.fresh) fresh = spool_.fresh->take(sub_.name, id, now);
    if (fresh) {
      d = std::move(*fresh);
    } else if (!db_->get(store::delivery_key(sub_.name, id), text) || !store::decode(text, d)) {
      // Gone from the spool (replayed or pruned by another path) or unreadable: nothing to send.
      logging::warn("deliverer/" + sub_.name, "delivery " + id + " is no longer in the spool; skipped");
      retire(q.slot);
      continue;
    }
    slots_[q.slot].flying = true;
    flying_[id] = d;
    out.push_back(std::move(d));
    if (breaker_) breaker_->started(now);
    if (bucket_) {
      bucket_->try_take(now);
      spool::changes c;
      c.set(sub_.name, store::sub_field::rate, std::to_string(bucket_->saved_state()));
      c.buffered();
      spool_.post(std::move(c));  // read back only at the next start
    }
  }
  return out;
}

int64_t schedule::next_due() const {
  if (queue_.empty()) return std::numeric_limits<int64_t>::max();
  int64_t at = breaker_ && breaker_->open() ? breaker_->next_at(0) : queue_.front().at_ms;
  if (bucket_ && at != std::numeric_limits<int64_t>::max()) at = std::max(at, bucket_->next_at(0));
  return at;
}

std::string schedule::circuit_state() const {
  if (!breaker_) return "";
  return breaker_->open() ? "open" : "closed";
}

void schedule::make_all_due(int64_t now) {
  for (auto& [key, behind] : behind_)
    for (auto& w : behind) w.at_ms = std::min(w.at_ms, now);
  for (auto& q : queue_) q.at_ms = std::min(q.at_ms, now);
  std::make_heap(queue_.begin(), queue_.end(), later<queued>);
}

bool schedule::apply_policies(const attempt_result& r, int64_t now, spool::changes& b) {
  const response_class c = classify(r.attempt.status_code);
  if (bucket_ && c == response_class::delivered) bucket_->succeeded();
  if (bucket_ && c == response_class::throttled && r.attempt.status_code == 429) {
    int64_t wait = -1;
    if (auto d = retry_after_delay(r.retry_after, std::chrono::system_clock::now(), sub_.retry.max_backoff))
      wait = d->count();
    bucket_->throttled(now, wait);
    b.set(sub_.name, store::sub_field::rate, std::to_string(bucket_->saved_state()));
  }
  if (!breaker_) return false;
  const bool was_open = breaker_->open();
  if (c == response_class::delivered) {
    if (breaker_->succeeded(now) == circuit_change::closed) {
      b.clear(sub_.name, store::sub_field::breaker);
      make_all_due(now);  // the backlog goes at full speed (within the rate limit) again
    }
    return false;
  }
  // 410 keeps its meaning (disable) and a 429 means the endpoint is up: neither counts as a failure, but
  // while open either ends the probe, so the next one goes a probe interval later.
  const bool failure = c == response_class::retry || r.attempt.status_code == 503;
  if (!failure) {
    if (was_open) breaker_->failed(now);
    return was_open;
  }
  if (breaker_->failed(now) == circuit_change::opened)
    b.set(sub_.name, store::sub_field::breaker, std::to_string(breaker_->open_since_ms()));
  return breaker_->open();
}

status schedule::try_persist(spool::changes c) {
  auto written = spool_.write(std::move(c));
  if (!written)
    logging::error("deliverer/" + sub_.name,
                   "cannot update the spool in " + db_->dir() + ": " + written.message());
  return written;
}

void schedule::persist(spool::changes c) {
  // Logged by try_persist. The store keeps the previous record, which at worst sends a delivery again under
  // its webhook-id after a restart.
  static_cast<void>(try_persist(std::move(c)));
}

delivery_outcome schedule::outcome_for(const delivery& d, outcome_kind k, const attempt_record& a) const {
  return outcome_of(d, k, a);
}

std::optional<delivery_outcome> schedule::complete(const attempt_result& r, int64_t now) {
  auto fly = flying_.find(r.delivery_id);
  if (fly == flying_.end()) return std::nullopt;
  delivery d = std::move(fly->second);
  flying_.erase(fly);
  const uint32_t s = find(r.delivery_id);
  if (s == none) return std::nullopt;
  const int32_t attempts_before = d.attempts;
  d.attempts = std::max(d.attempts, r.attempt.attempt);
  d.history.push_back(r.attempt);
  spool::changes b;
  if (apply_policies(r, now, b)) {
    // The circuit is open (or this failure opened it): the endpoint is down, not this delivery bad. The
    // attempt stays in its history and evidence but is not counted, so nothing dead-letters meanwhile; it
    // waits in the queue for a probe or for the circuit to close.
    if (classify(r.attempt.status_code) != response_class::disable) {
      d.attempts = attempts_before;
      d.next_at_ms = now;
      b.update(d);
      persist(std::move(b));
      enqueue(s, d.next_at_ms);
      return outcome_for(d, outcome_kind::retrying, r.attempt);
    }
  }
  switch (classify(r.attempt.status_code)) {
    case response_class::delivered: {
      // Buffered is enough: losing this delete to a power cut only re-sends under the same webhook-id.
      // Posted: the schedule never reads a delivered record again, so nothing waits for the write.
      b.remove(sub_.name, d.id);
      b.buffered();
      spool_.post(std::move(b));
      auto o = outcome_for(d, outcome_kind::delivered, r.attempt);
      retire(s);
      return o;
    }
    case response_class::disable: {
      disabled_reason_ = "endpoint answered 410 Gone";
      d.next_at_ms = now;
      b.set(sub_.name, store::sub_field::disabled, disabled_reason_);
      b.update(d);
      persist(std::move(b));
      enqueue(s, d.next_at_ms);
      return outcome_for(d, outcome_kind::disabled, r.attempt);
    }
    case response_class::retry:
    case response_class::throttled:
      break;
  }
  if (d.attempts >= sub_.retry.max_attempts) {
    d.next_at_ms = now;  // dead letters keep the time they died in next_at_ms
    b.bury(d);
    if (auto moved = try_persist(std::move(b)); !moved) {
      // Not moved (disk full...): the record is still pending in dlv/, so it stays in the schedule and is
      // reported as retrying, never as a dead letter that `--replay` could not find. The next attempt after
      // the pause below tries the move again if it fails too.
      d.next_at_ms = now + store_retry_ms;
      enqueue(s, d.next_at_ms);
      auto a = r.attempt;
      a.error +=
          (a.error.empty() ? "" : "; ") + std::string("not moved to the dead letters: ") + moved.message();
      return outcome_for(d, outcome_kind::retrying, a);
    }
    auto o = outcome_for(d, outcome_kind::dead_lettered, r.attempt);
    retire(s);
    return o;
  }
  backoff_params p{sub_.retry.max_attempts, sub_.retry.initial_backoff, sub_.retry.max_backoff,
                   sub_.retry.multiplier};
  auto delay = full_jitter_backoff(d.attempts, p, rng_);
  if (!r.retry_after.empty() && classify(r.attempt.status_code) == response_class::throttled) {
    // A Retry-After that is negative, garbage, overflowing or a past date is ignored: jittered backoff stays.
    if (auto wait =
            retry_after_delay(r.retry_after, std::chrono::system_clock::now(), sub_.retry.max_backoff))
      delay = *wait;
  }
  d.next_at_ms = now + delay.count();
  // Waited for: take_due reads the record back, possibly soon (full jitter can pick a delay near 0).
  b.update(d);
  b.buffered();
  persist(std::move(b));
  enqueue(s, d.next_at_ms);
  return outcome_for(d, outcome_kind::retrying, r.attempt);
}

delivery_outcome schedule::complete_dry_run(const delivery& d, int64_t now) {
  flying_.erase(d.id);
  attempt_record a{d.attempts + 1, now, 0, "", 0};
  auto o = outcome_for(d, outcome_kind::dry_run, a);
  spool::changes b;
  b.remove(sub_.name, d.id);
  b.buffered();
  spool_.post(std::move(b));
  if (const uint32_t s = find(d.id); s != none) retire(s);
  return o;
}

void schedule::set_paused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  spool::changes b;
  if (paused)
    b.set(sub_.name, store::sub_field::paused, "1");
  else
    b.clear(sub_.name, store::sub_field::paused);
  persist(std::move(b));
}

void schedule::enable(int64_t now) {
  if (!disabled()) return;
  disabled_reason_.clear();
  spool::changes b;
  b.clear(sub_.name, store::sub_field::disabled);
  persist(std::move(b));
  make_all_due(now);
}

}  // namespace spec_notify::deliverer
