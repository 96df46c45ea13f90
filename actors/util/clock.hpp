#pragma once
// The project's one wall clock: unix milliseconds from system_clock. Persisted times (spool, dead letters,
// breaker), payload `occurred_at` and evidence records all use it, so they compare across processes and
// restarts. Code that needs a testable clock takes `now` as a parameter instead of calling this.
#include <chrono>
#include <cstdint>

namespace spec_notify::util {

inline int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace spec_notify::util
