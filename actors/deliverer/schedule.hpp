#pragma once
// The pending deliveries of ONE subscription and what happens to them after each attempt: delivered (removed),
// retried with full-jitter backoff (Retry-After honoured for 429/503, clamped to max_backoff), dead-lettered
// after max_attempts (moved dlv/ -> dead/ in one batch), or the subscription disabled on HTTP 410 (its
// deliveries stay in the spool, replayable). Owned by one deliverer_actor (single-threaded use).
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/batches.hpp"
#include "messages/outcome.hpp"

namespace spec_notify::deliverer {

class schedule {
 public:
  schedule(store::db_ptr db, config::subscription_settings sub);

  // Loads this subscription's spool (dlv/) and its 410 flag. Returns the number of pending deliveries.
  size_t load();
  // Adds a delivery already persisted by the router; false when it is already known (restart overlap).
  bool add(delivery d);
  // Up to `n` deliveries due at `now`, oldest due first, now counted as in flight.
  std::vector<delivery> take_due(int64_t now, size_t n);
  // Earliest next attempt among deliveries not in flight; INT64_MAX when none.
  int64_t next_due() const;
  // Applies one attempt's result and persists the consequence; the returned outcome is for evidence/logs.
  delivery_outcome complete(const attempt_result& r, int64_t now);
  // A dry-run subscription "delivers" without sending: evidence only.
  delivery_outcome complete_dry_run(const delivery& d, int64_t now);

  bool disabled() const { return !disabled_reason_.empty(); }
  const std::string& disabled_reason() const { return disabled_reason_; }
  // Clears a 410 disable (admin resume); pending deliveries become due now.
  void enable(int64_t now);
  size_t pending() const { return items_.size(); }
  size_t in_flight() const { return flying_.size(); }
  const config::subscription_settings& settings() const { return sub_; }

 private:
  // What stays in memory per pending delivery: bodies live in the store and are read when an attempt starts,
  // so a backlog of 100k deliveries costs a few MB, not its payload size.
  struct entry {
    int64_t next_at_ms = 0;
  };
  delivery_outcome outcome_for(const delivery& d, outcome_kind k, const attempt_record& a) const;
  void persist(const store::batch& b, store::durability dur);
  store::db_ptr db_;
  config::subscription_settings sub_;
  std::map<std::string, entry> items_;
  std::map<std::string, delivery> flying_;  // full records of deliveries in flight
  std::set<std::pair<int64_t, std::string>> due_;  // (next_at_ms, id) of deliveries not in flight
  std::string disabled_reason_;
  std::mt19937_64 rng_;
};

}  // namespace spec_notify::deliverer
