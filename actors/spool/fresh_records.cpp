#include "actors/spool/fresh_records.hpp"

namespace spec_notify::spool {

namespace {

std::string key_of(const std::string& sub, const std::string& id) {
  std::string k;
  k.reserve(sub.size() + 1 + id.size());
  k.append(sub).append(1, '/').append(id);
  return k;
}

}  // namespace

void fresh_records::erase(std::unordered_map<std::string, entry>::iterator it) {
  bytes_ -= it->second.bytes;
  order_.erase(it->second.seq);
  by_key_.erase(it);
}

void fresh_records::put(delivery d, int64_t now_ms) {
  const size_t c = cost(d);
  if (c > max_bytes_) return;
  std::string k = key_of(d.subscription, d.id);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto old = by_key_.find(k); old != by_key_.end()) erase(old);
  while (bytes_ + c > max_bytes_ && !order_.empty()) erase(by_key_.find(order_.begin()->second));
  const uint64_t seq = next_seq_++;
  order_.emplace(seq, k);
  bytes_ += c;
  by_key_.emplace(std::move(k), entry{std::move(d), now_ms, seq, c});
}

std::optional<delivery> fresh_records::take(const std::string& sub, const std::string& id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_key_.find(key_of(sub, id));
  if (it == by_key_.end()) return std::nullopt;
  std::optional<delivery> out;
  if (now_ms - it->second.at_ms <= max_age_ms_) out = std::move(it->second.d);
  erase(it);
  // Entries nobody takes (a paused or disabled subscription, a key waiting behind its head) age out here.
  while (!order_.empty()) {
    auto oldest = by_key_.find(order_.begin()->second);
    if (now_ms - oldest->second.at_ms <= max_age_ms_) break;
    erase(oldest);
  }
  return out;
}

size_t fresh_records::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return by_key_.size();
}

}  // namespace spec_notify::spool
