#include "actors/deliverer/breaker.hpp"

#include <algorithm>
#include <limits>

namespace spec_notify::deliverer {

circuit_breaker::circuit_breaker(int failures, int64_t after_ms, int64_t probe_ms)
    : failures_(std::max(failures, 1)),
      after_ms_(std::max<int64_t>(after_ms, 1)),
      probe_ms_(std::max<int64_t>(probe_ms, 1)) {}

bool circuit_breaker::allows(int64_t now_ms) const {
  return !open_ || (!probing_ && now_ms >= probe_at_ms_);
}

void circuit_breaker::started(int64_t) {
  if (open_) probing_ = true;
}

int64_t circuit_breaker::next_at(int64_t now_ms) const {
  if (!open_) return now_ms;
  return probing_ ? std::numeric_limits<int64_t>::max() : std::max(now_ms, probe_at_ms_);
}

circuit_change circuit_breaker::failed(int64_t now_ms) {
  if (streak_ == 0) streak_since_ms_ = now_ms;
  ++streak_;
  if (open_) {
    // A failed probe (or a late failure of a request sent before opening): wait a probe interval again.
    probing_ = false;
    probe_at_ms_ = now_ms + probe_ms_;
    return circuit_change::none;
  }
  if (streak_ < failures_ && now_ms - streak_since_ms_ < after_ms_) return circuit_change::none;
  open_ = true;
  probing_ = false;
  open_since_ms_ = now_ms;
  probe_at_ms_ = now_ms + probe_ms_;
  return circuit_change::opened;
}

circuit_change circuit_breaker::succeeded(int64_t) {
  streak_ = 0;
  streak_since_ms_ = 0;
  if (!open_) return circuit_change::none;
  open_ = false;
  probing_ = false;
  open_since_ms_ = 0;
  return circuit_change::closed;
}

void circuit_breaker::restore_open(int64_t since_ms, int64_t now_ms) {
  open_ = true;
  probing_ = false;
  open_since_ms_ = since_ms;
  probe_at_ms_ = now_ms;
  streak_ = std::max(streak_, 1);
  streak_since_ms_ = since_ms;
}

}  // namespace spec_notify::deliverer
