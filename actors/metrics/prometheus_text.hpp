#pragma once
// Prometheus text exposition format (version 0.0.4) of the daemon's counters. Pure: the metrics server
// collects a snapshot from the live pipeline (metrics_collector.hpp) and renders it here; unit tests render
// hand-made snapshots. Thread-safe (no state).
//
// Series (subscription label on every per-subscription one):
//   spec_notify_up                                   1 when the pipeline answered the scrape, else 0
//   spec_notify_events_detected_total                events detected by the differ (absent if it
//                                                    did not answer in time)
//   spec_notify_deliveries_attempted_total{..}       HTTP attempts (succeeded + failed)
//   spec_notify_deliveries_succeeded_total{..}       2xx answers
//   spec_notify_deliveries_failed_total{..}          failed attempts (each retry counts)
//   spec_notify_deliveries_dead_lettered_total{..}   deliveries moved to the dead letters
//   spec_notify_queue_depth{..}                      deliveries in the spool (incl. in flight)
//   spec_notify_in_flight{..}                        requests on the wire now
//   spec_notify_subscription_paused{..} / _disabled{..}   0 or 1
//   spec_notify_circuit_open{..} / _open_since_seconds{..} / spec_notify_consecutive_failures{..}
//                                                    breaker state (only subscriptions with a breaker)
//   spec_notify_rate_limit_tokens{..}                tokens available (only subscriptions with rate_limit)
//   spec_notify_ordering_keys_waiting{..}           ordering keys with deliveries waiting behind their head
//   spec_notify_ordering_longest_key_queue{..}      deliveries of the longest key queue (head included)
//   spec_notify_delivery_latency_seconds{..}         histogram of attempt latencies (buckets 5 ms .. 10 s)
// Counters restart from 0 when the daemon (or a restarted stage) starts; Prometheus handles such resets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "messages/admin.hpp"

namespace spec_notify::metrics {

struct metrics_snapshot {
  bool pipeline_up = false;
  std::optional<int64_t> events_detected;
  std::vector<subscription_status> subscriptions;  // sorted by name
};

std::string render_prometheus(const metrics_snapshot& snapshot);

// The value of a label in the text format: `\`, `"` and newlines escaped.
std::string escape_label(const std::string& value);

}  // namespace spec_notify::metrics
