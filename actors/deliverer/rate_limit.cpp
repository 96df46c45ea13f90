#include "actors/deliverer/rate_limit.hpp"

#include <algorithm>

namespace spec_notify::deliverer {
namespace {

constexpr int kMaxSlowFactor = 64;

// The interval as written (per_ms / count, rounded up) plus a margin (rate_limit.hpp): 5% of it, but at most
// 50 ms and at least 1%.
int64_t interval_with_margin_us(int64_t count, int64_t per_ms) {
  count = std::max<int64_t>(count, 1);
  const int64_t written = std::max<int64_t>(1, (std::max<int64_t>(per_ms, 1) * 1000 + count - 1) / count);
  const int64_t margin = std::max<int64_t>(written / 100, std::min<int64_t>(50000, written / 20));
  return written + margin;
}

}  // namespace

token_bucket::token_bucket(int64_t count, int64_t per_ms, int64_t burst)
    : base_interval_us_(interval_with_margin_us(count, per_ms)), burst_(std::max<int64_t>(burst, 1)) {}

bool token_bucket::try_take(int64_t now_ms) {
  const int64_t now = now_ms * 1000;
  if (now < tat_us_ - tolerance_us()) return false;
  tat_us_ = std::max(tat_us_, now) + interval_us();
  return true;
}

int64_t token_bucket::next_at(int64_t now_ms) const {
  const int64_t at_us = tat_us_ - tolerance_us();
  if (at_us <= now_ms * 1000) return now_ms;
  return (at_us + 999) / 1000;  // round up: never hand out a token early
}

double token_bucket::tokens(int64_t now_ms) const {
  const double available = static_cast<double>(now_ms * 1000 - tat_us_) / static_cast<double>(interval_us()) +
                           static_cast<double>(burst_);
  return std::clamp(available, 0.0, static_cast<double>(burst_));
}

void token_bucket::throttled(int64_t now_ms, int64_t retry_after_ms) {
  factor_ = std::min(factor_ * 2, kMaxSlowFactor);
  const int64_t now = now_ms * 1000;
  // Spent tokens stay spent at the slower rate: the next one is at least one (new) interval away.
  tat_us_ = std::max(tat_us_, now + interval_us());
  if (retry_after_ms >= 0) tat_us_ = std::max(tat_us_, now + retry_after_ms * 1000 + tolerance_us());
}

void token_bucket::succeeded() {
  factor_ = std::max(1, factor_ / 2);
}

void token_bucket::restore(int64_t tat_us, int64_t now_ms) {
  // A saved time far beyond what this bucket could owe (a config change to a faster rate) is capped at a
  // full bucket's worth of waiting.
  const int64_t now = now_ms * 1000;
  tat_us_ = std::clamp<int64_t>(tat_us, 0, now + burst_ * interval_us());
}

}  // namespace spec_notify::deliverer
