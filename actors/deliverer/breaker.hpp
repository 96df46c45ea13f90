#pragma once
// The circuit breaker of one subscription's endpoint (docs/configuration.md
// "[notify.subscriptions.breaker]"). Closed: attempts flow normally; each failed attempt extends a streak, a
// 2xx ends it. The circuit opens when the streak reaches `failures` attempts or has lasted `after` (time
// since its first failure). Open: no normal attempts; one probe at a time, the first `probe` after opening
// and then `probe` after each failed probe; any 2xx (a probe, or a request that was already in flight) closes
// it. What counts as a failure is the caller's decision (schedule: every answer but 2xx, 410 and 429, and no
// answer at all). Pure: no clock reads (callers pass unix ms), no I/O. Single-threaded (owned by a schedule).
#include <cstdint>

namespace spec_notify::deliverer {

enum class circuit_change { none, opened, closed };

class circuit_breaker {
 public:
  // REQUIRES: failures >= 1, after_ms >= 1, probe_ms >= 1.
  circuit_breaker(int failures, int64_t after_ms, int64_t probe_ms);

  // May an attempt start at now_ms? Closed: always. Open: only the probe, when it is due and none is out.
  bool allows(int64_t now_ms) const;
  // Records that an attempt started (REQUIRES: allows(now_ms)); while open it is the probe.
  void started(int64_t now_ms);
  // The earliest unix ms at which allows() can turn true without a completion: now_ms when closed,
  // the probe time when open, INT64_MAX while a probe is out.
  int64_t next_at(int64_t now_ms) const;

  // Results of attempts. A result that arrives while open and is not the probe (it was sent before the
  // circuit opened) counts like one: a 2xx closes, a failure changes nothing but the probe time.
  circuit_change failed(int64_t now_ms);
  circuit_change succeeded(int64_t now_ms);

  bool open() const { return open_; }
  int64_t open_since_ms() const { return open_since_ms_; }  // 0 while closed
  int streak() const { return streak_; }                    // consecutive failures so far
  // Restores a persisted open state (sub/<name>/breaker) at start: the first probe goes at once.
  void restore_open(int64_t since_ms, int64_t now_ms);

 private:
  int failures_;
  int64_t after_ms_, probe_ms_;
  bool open_ = false;
  bool probing_ = false;  // a probe is on the wire
  int streak_ = 0;
  int64_t streak_since_ms_ = 0, open_since_ms_ = 0, probe_at_ms_ = 0;
};

}  // namespace spec_notify::deliverer
