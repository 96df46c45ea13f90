#include "actors/deliverer/key_set.hpp"

#include <algorithm>

namespace spec_notify::deliverer {

size_t key_set::home(uint64_t key) const {
  // The keys are std::hash values already; a multiplicative mix spreads keys differing in high bits only.
  return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & (cells_.size() - 1);
}

bool key_set::contains(uint64_t key) const {
  if (cells_.empty()) return false;
  key = stored(key);
  const size_t mask = cells_.size() - 1;
  for (size_t i = home(key);; i = (i + 1) & mask) {
    if (cells_[i] == 0) return false;
    if (cells_[i] == key) return true;
  }
}

void key_set::grow() {
  std::vector<uint64_t> old(std::max<size_t>(64, cells_.size() * 2), 0);
  old.swap(cells_);
  const size_t mask = cells_.size() - 1;
  for (uint64_t k : old) {
    if (k == 0) continue;
    size_t i = home(k);
    while (cells_[i] != 0) i = (i + 1) & mask;
    cells_[i] = k;
  }
}

void key_set::insert(uint64_t key) {
  if (contains(key)) return;
  if ((count_ + 1) * 2 > cells_.size()) grow();  // at most half full: short probes
  key = stored(key);
  const size_t mask = cells_.size() - 1;
  size_t i = home(key);
  while (cells_[i] != 0) i = (i + 1) & mask;
  cells_[i] = key;
  ++count_;
}

void key_set::erase(uint64_t key) {
  if (cells_.empty()) return;
  key = stored(key);
  const size_t mask = cells_.size() - 1;
  size_t i = home(key);
  while (cells_[i] != key) {
    if (cells_[i] == 0) return;
    i = (i + 1) & mask;
  }
  // Backward shift: a later entry moves into the hole unless its home lies cyclically within (i, j].
  for (size_t j = (i + 1) & mask; cells_[j] != 0; j = (j + 1) & mask) {
    const size_t h = home(cells_[j]);
    if (((j - h) & mask) >= ((j - i) & mask)) {
      cells_[i] = cells_[j];
      i = j;
    }
  }
  cells_[i] = 0;
  if (--count_ == 0) clear();  // a drained burst hands its memory back
}

void key_set::clear() {
  std::vector<uint64_t>().swap(cells_);
  count_ = 0;
}

}  // namespace spec_notify::deliverer
