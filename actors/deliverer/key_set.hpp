#pragma once
// A set of 64-bit ordering-key hashes in one flat array (open addressing, linear probing, backward-shift
// deletion): the schedule keeps one entry per key with a delivery queued or in flight, so a burst of 100,000
// distinct tasks costs ~2 MB here instead of ~10 MB in a node-based std::unordered_map. Single-threaded.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace spec_notify::deliverer {

class key_set {
 public:
  bool contains(uint64_t key) const;
  void insert(uint64_t key);  // no-op when present
  void erase(uint64_t key);   // no-op when absent
  size_t size() const { return count_; }
  void clear();

 private:
  // 0 marks an empty cell, so key 0 is stored as 1 (a collision of two keys only makes one wait for the
  // other; see schedule.hpp).
  static uint64_t stored(uint64_t key) { return key == 0 ? 1 : key; }
  size_t home(uint64_t key) const;
  void grow();
  std::vector<uint64_t> cells_;
  size_t count_ = 0;
};

}  // namespace spec_notify::deliverer
