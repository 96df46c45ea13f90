#pragma once
// Values the admin path and the metrics endpoint ask the pipeline for. deliverer -> admin/metrics:
// (status_atom) -> subscription_status.
#include <caf/meta/type_name.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spec_notify {

// Upper bounds (ms, inclusive) of the delivery latency histogram; one more bucket counts what lies above.
inline constexpr int64_t latency_bounds_ms[] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
inline constexpr size_t latency_bucket_count = sizeof(latency_bounds_ms) / sizeof(latency_bounds_ms[0]) + 1;

inline size_t latency_bucket_index(int64_t ms) {
  size_t i = 0;
  while (i + 1 < latency_bucket_count && ms > latency_bounds_ms[i]) ++i;
  return i;
}

struct subscription_status {
  std::string name;
  int32_t pending = 0;    // deliveries in the spool for this subscription (incl. in flight)
  int32_t in_flight = 0;  // requests on the wire now (never above max_in_flight)
  int32_t max_in_flight = 0;
  bool paused = false;   // paused by an operator (admin pause)
  std::string disabled;  // reason when disabled by a 410; "" otherwise
  int64_t delivered = 0, failed_attempts = 0, dead_lettered = 0;  // since the daemon started
  int64_t next_attempt_ms = 0;                                    // earliest scheduled attempt, 0 when none
  // Latencies of the HTTP attempts since the daemon started (dry runs excluded): per-bucket counts (NOT
  // cumulative), latency_bucket_count entries; and their sum.
  std::vector<int64_t> latency_buckets;
  int64_t latency_sum_ms = 0;
  // Circuit breaker: "" when the subscription has none, else "closed" or "open"; since when it is open
  // (unix ms, 0 when closed); failed attempts in a row now.
  std::string circuit;
  int64_t circuit_since_ms = 0;
  int32_t consecutive_failures = 0;
  double rate_tokens = -1;  // rate limit tokens available now; -1 without rate_limit
  // Ordering: the mode ("task" | "spec" | "none"), keys with deliveries waiting behind their head, and the
  // longest key queue (head included; 0 when none waits).
  std::string ordering;
  int64_t keys_waiting = 0, longest_key_queue = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_status& x) {
  return f(caf::meta::type_name("subscription_status"), x.name, x.pending, x.in_flight, x.max_in_flight,
           x.paused, x.disabled, x.delivered, x.failed_attempts, x.dead_lettered, x.next_attempt_ms,
           x.latency_buckets, x.latency_sum_ms, x.circuit, x.circuit_since_ms, x.consecutive_failures,
           x.rate_tokens, x.ordering, x.keys_waiting, x.longest_key_queue);
}

}  // namespace spec_notify
