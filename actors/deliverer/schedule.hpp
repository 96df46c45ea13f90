#pragma once
// The pending deliveries of ONE subscription and what happens to them after each attempt: delivered
// (removed), retried with full-jitter backoff (Retry-After honoured for 429/503, clamped to max_backoff),
// dead-lettered after max_attempts (moved dlv/ -> dead/ in one batch), or the subscription disabled on HTTP
// 410 (its deliveries stay in the spool, replayable). Owned by one deliverer_actor (single-threaded use).
// Also gates WHEN attempts start, so all per-subscription scheduling stays here: the rate limit
// (rate_limit.hpp; every attempt takes a token) and the circuit breaker (breaker.hpp; while open only one
// probe, the earliest queued delivery, and failed attempts are not counted against max_attempts).
// Ordering (config "ordering", router/ordering.hpp): with task or spec ordering only the head of each key --
// its lowest sequence -- is queued for attempts; the others of that key wait, in memory by sequence, until
// the head is delivered or dead-lettered. A head that fails and retries keeps the key, so its successors
// never overtake it. Different keys go in parallel up to max_in_flight.
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/deliverer/breaker.hpp"
#include "actors/deliverer/key_set.hpp"
#include "actors/deliverer/rate_limit.hpp"
#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/batches.hpp"
#include "messages/outcome.hpp"

namespace spec_notify::deliverer {

class schedule {
 public:
  // Reads `db` (its spool range at load, a record when an attempt starts); writes go to `spool` (the spool
  // actor in the daemon; straight to `db` when none is given: tests).
  schedule(store::db_ptr db, config::subscription_settings sub, spool::port spool = {});

  // Loads this subscription's spool (its own key range, dlv/<name>/, never the other subscriptions') and its
  // 410 flag. Returns the number of pending deliveries.
  size_t load();
  // Adds a delivery already persisted by the router (or put back by a replay); false when it is already known
  // (restart overlap).
  bool add(const delivery_ref& d);
  // Up to `n` deliveries due at `now`, oldest due first, now counted as in flight; fewer when the rate limit
  // has no token or the circuit is open (then at most the one probe, due or not).
  std::vector<delivery> take_due(int64_t now, size_t n);
  // When take_due can next return something (rate limit and breaker included); INT64_MAX when never
  // without a completion or a new delivery.
  int64_t next_due() const;
  // Applies one attempt's result and persists the consequence; the returned outcome is for evidence/logs.
  // nullopt when the result is for no delivery in flight (a late answer after a restart of the schedule).
  std::optional<delivery_outcome> complete(const attempt_result& r, int64_t now);
  // A dry-run subscription "delivers" without sending: evidence only.
  delivery_outcome complete_dry_run(const delivery& d, int64_t now);

  bool disabled() const { return !disabled_reason_.empty(); }
  // Operator pause, persisted so a restarted deliverer (or daemon) stays paused until resumed.
  bool paused() const { return paused_; }
  void set_paused(bool paused);
  const std::string& disabled_reason() const { return disabled_reason_; }
  // Clears a 410 disable (admin resume); pending deliveries become due now.
  void enable(int64_t now);
  size_t pending() const { return slots_.size() - free_.size(); }
  size_t in_flight() const { return flying_.size(); }
  const config::subscription_settings& settings() const { return sub_; }
  // Circuit breaker: "" without one, else "closed" or "open"; since when (unix ms, 0 when closed).
  std::string circuit_state() const;
  int64_t circuit_since_ms() const { return breaker_ ? breaker_->open_since_ms() : 0; }
  int consecutive_failures() const { return breaker_ ? breaker_->streak() : 0; }
  bool circuit_open() const { return breaker_ && breaker_->open(); }
  // Rate limit tokens available at `now`; -1 without a rate limit.
  double rate_tokens(int64_t now) const { return bucket_ ? bucket_->tokens(now) : -1.0; }
  // Ordering: keys with at least one delivery waiting behind their head, and the longest key queue (head
  // included; 0 when no key waits). O(keys): for status and metrics, not per attempt.
  size_t keys_waiting() const;
  size_t longest_key_queue() const;

 private:
  // What stays in memory per pending delivery: bodies live in the store and are read when an attempt starts,
  // and the id is kept ONCE (in ids_), so a pending delivery costs about 70 bytes (100k: ~7-10 MB with the
  // vectors' growth slack) instead of the ~250 bytes of a std::map + std::set holding the id twice.
  static constexpr uint32_t none = UINT32_MAX;
  struct slot {
    uint32_t id_at = 0;  // offset of the id in ids_
    uint32_t id_len = 0;
    uint32_t ticket = 0;   // of its queue entry (while queued)
    bool used = false;     // false: a free slot
    bool flying = false;   // in flight (then not in queue_)
    bool ordered = false;  // belongs to the key `key` (ordering task/spec, and a record that has a key)
    uint64_t key = 0;      // hash of its ordering key (see active_)
  };
  struct queued {  // a min-heap entry: the earliest next attempt first, FIFO among equal times
    int64_t at_ms;
    uint32_t ticket;
    uint32_t slot;
  };
  // Ordering keys are told apart by a 64-bit hash of the key text: two keys that collide share one queue,
  // which only makes one wait for the other -- each still goes in its own sequence order. active_ holds the
  // keys whose head is queued or in flight; behind_ the deliveries waiting behind a head (a min-heap by
  // sequence per key), only for keys that have any (a burst of distinct tasks has none).
  struct waiting {
    int64_t sequence;
    int64_t at_ms;
    uint32_t slot;
  };
  std::string_view id_of(uint32_t s) const { return {ids_.data() + slots_[s].id_at, slots_[s].id_len}; }
  uint32_t find(std::string_view id) const;  // slot of `id`, or none
  uint32_t insert(std::string_view id);      // a new slot (indexed) for an id not present
  void remove(uint32_t s);                   // frees a slot (not queued) and its index entry
  void enqueue(uint32_t s, int64_t at_ms);
  void index_put(uint32_t s);
  void maybe_compact();
  delivery_outcome outcome_for(const delivery& d, outcome_kind k, const attempt_record& a) const;
  // Writes `c` through the spool and waits, logging a failure; try_persist also returns it, for the callers
  // that must act on it (a dead letter that was not moved is not one).
  status try_persist(spool::changes c);
  void persist(spool::changes c);
  // Feeds one attempt's result to the limiter and the breaker; true when the attempt must not count
  // against max_attempts (the circuit is open, or this failure opened it). Adds breaker changes to `b`.
  bool apply_policies(const attempt_result& r, int64_t now, spool::changes& b);
  void make_all_due(int64_t now);
  // Places a new delivery: queued now, or behind its key's head. While loading, every ordered delivery waits
  // and activate_keys() then queues the lowest sequence of each key.
  void place(uint32_t s, const delivery_ref& d);
  void activate_keys();
  // A delivery leaves the schedule for good (delivered, dead-lettered, gone): the next of its key is queued.
  void retire(uint32_t s);
  store::db_ptr db_;
  config::subscription_settings sub_;
  spool::port spool_;
  std::string ids_;     // the ids of all slots, back to back (freed ones are garbage until compaction)
  size_t garbage_ = 0;  // bytes of ids_ no slot uses
  std::vector<slot> slots_;
  std::vector<uint32_t> free_;   // free slot numbers
  std::vector<uint32_t> index_;  // open addressing (linear probing), slot numbers; none = empty
  std::vector<queued> queue_;    // heap of the deliveries not in flight
  uint32_t next_ticket_ = 0;
  std::map<std::string, delivery> flying_;  // full records of deliveries in flight (max_in_flight of them)
  std::string disabled_reason_;
  bool paused_ = false;
  std::mt19937_64 rng_;
  std::optional<token_bucket> bucket_;      // with rate_limit
  std::optional<circuit_breaker> breaker_;  // with [notify.subscriptions.breaker]
  key_set active_;
  std::unordered_map<uint64_t, std::vector<waiting>> behind_;
  // While loading: the ordered deliveries read so far, sorted by (key, sequence) once the scan is over.
  std::vector<std::pair<uint64_t, waiting>> loaded_;
  bool loading_ = false;
};

}  // namespace spec_notify::deliverer
