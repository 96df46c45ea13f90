#pragma once
// Deliveries the router has just had the spool write, kept in memory until their deliverer starts their
// first attempt, so that attempt needs no LevelDB read and no decode of a record this very process wrote a
// few milliseconds earlier (in a 5,000-task burst that read-back was ~10 % of the daemon's instructions,
// docs/benchmarks.md). Messages still carry references (delivery_batch): the records only pass through here.
// What is served is exactly what was written: the router puts a record only after the spool acknowledged
// its write, and take() removes it. Nothing else changes a delivery before its first attempt except an admin
// replay of a disabled subscription's pending delivery, which happens long after; entries older than
// `max_age_ms` are not served (and bounded memory: at most `max_bytes` of records, oldest dropped first),
// so such a record is read from the store as before. A miss always falls back to the store.
// Thread-safety: one mutex (the router puts from its thread, each deliverer takes from its own).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "messages/delivery.hpp"

namespace spec_notify::spool {

class fresh_records {
 public:
  explicit fresh_records(size_t max_bytes = size_t(8) << 20, int64_t max_age_ms = 10000)
      : max_bytes_(max_bytes), max_age_ms_(max_age_ms) {}

  // `d` as the spool wrote it; `now_ms` on a steady clock.
  void put(delivery d, int64_t now_ms);
  // The record of (`sub`, `id`) if it is still here and young enough; it is removed either way.
  std::optional<delivery> take(const std::string& sub, const std::string& id, int64_t now_ms);
  size_t size() const;

 private:
  struct entry {
    delivery d;
    int64_t at_ms;
    uint64_t seq;
    size_t bytes;  // cost(d) when put (d may be moved out before the entry is erased)
  };
  static size_t cost(const delivery& d) { return d.body.size() + d.id.size() + 256; }
  void erase(std::unordered_map<std::string, entry>::iterator it);
  size_t max_bytes_;
  int64_t max_age_ms_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> by_key_;  // "<sub>/<id>"
  std::map<uint64_t, std::string> order_;          // put order, for dropping the oldest
  uint64_t next_seq_ = 0;
  size_t bytes_ = 0;
};

}  // namespace spec_notify::spool
