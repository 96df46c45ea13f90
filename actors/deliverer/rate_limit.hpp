#pragma once
// The token bucket of one subscription's rate_limit (docs/configuration.md "rate_limit"): `count` tokens per
// `per_ms`, holding at most `burst` tokens; every HTTP attempt (first attempts, retries and breaker probes
// alike) takes one. Implemented as GCRA (a token bucket expressed as one "theoretical arrival time"), so its
// whole state is one number, which is what schedule persists (sub/<name>/rate) to survive a restart without
// a burst. A 429 slows it: the interval doubles per 429 (up to 64x) and halves back with each 2xx, and a
// Retry-After holds every token until it has passed.
// The interval is longer than per_ms / count by 5% (at most 50 ms, at least 1%): a request is counted when
// it starts, and a receiver that timestamps arrivals must not see two within one interval because one
// connect or worker thread ran late (a 1% margin, 10 ms at "1/s", was not enough on a loaded 2-core machine:
// arrival gaps of 969 ms were seen).
// Pure: no clock reads (callers pass unix ms), no I/O. Single-threaded use (owned by one schedule).
#include <cstdint>

namespace spec_notify::deliverer {

class token_bucket {
 public:
  // REQUIRES: count >= 1, per_ms >= 1, burst >= 1. The bucket starts full (nothing was sent before).
  token_bucket(int64_t count, int64_t per_ms, int64_t burst);

  // Takes a token when one is available at `now_ms`; false (nothing changes) otherwise.
  bool try_take(int64_t now_ms);
  // The earliest unix ms at which a token is available (<= now_ms when one is available now).
  int64_t next_at(int64_t now_ms) const;
  // Tokens available at `now_ms`, 0..burst (fractional while refilling); for metrics and status.
  double tokens(int64_t now_ms) const;

  // A 429 answer: slows the bucket (interval x2, at most x64) and, with Retry-After, hands out no token
  // before now_ms + retry_after_ms (pass a negative retry_after_ms when the answer had none).
  void throttled(int64_t now_ms, int64_t retry_after_ms);
  // A 2xx answer: the slow-down halves back towards the configured rate.
  void succeeded();
  int slow_factor() const { return factor_; }

  // Persistence: the theoretical arrival time in unix microseconds; restore() after a restart keeps the
  // tokens already spent spent (a value from a larger interval or burst is clamped, never a burst).
  int64_t saved_state() const { return tat_us_; }
  void restore(int64_t tat_us, int64_t now_ms);

 private:
  int64_t interval_us() const { return base_interval_us_ * factor_; }
  int64_t tolerance_us() const { return (burst_ - 1) * interval_us(); }
  int64_t base_interval_us_;
  int64_t burst_;
  int factor_ = 1;
  int64_t tat_us_ = 0;  // a token is available when now >= tat - tolerance; 0 = full
};

}  // namespace spec_notify::deliverer
