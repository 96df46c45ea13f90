#include "actors/metrics/prometheus_text.hpp"

#include <cstdio>

namespace spec_notify::metrics {
namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string label(const subscription_status& s) {
  return "subscription=\"" + escape_label(s.name) + "\"";
}

// One series per subscription: `name{subscription="x"} value`.
template <class Get>
void per_subscription(std::string& out, const metrics_snapshot& snap, const char* name, const char* type,
                      const char* help, Get get) {
  header(out, name, type, help);
  for (const auto& s : snap.subscriptions)
    out += std::string(name) + "{" + label(s) + "} " + std::to_string(get(s)) + "\n";
}

std::string seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
  return buf;
}

void histogram(std::string& out, const metrics_snapshot& snap) {
  const char* name = "spec_notify_delivery_latency_seconds";
  header(out, name, "histogram", "Latency of HTTP delivery attempts (request sent until answer or failure).");
  for (const auto& s : snap.subscriptions) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < latency_bucket_count; ++i) {
      cumulative += i < s.latency_buckets.size() ? s.latency_buckets[i] : 0;
      std::string le = i + 1 < latency_bucket_count ? seconds(latency_bounds_ms[i]) : "+Inf";
      out += std::string(name) + "_bucket{" + label(s) + ",le=\"" + le + "\"} " + std::to_string(cumulative) +
             "\n";
    }
    out += std::string(name) + "_sum{" + label(s) + "} " + seconds(s.latency_sum_ms) + "\n";
    out += std::string(name) + "_count{" + label(s) + "} " + std::to_string(cumulative) + "\n";
  }
}

}  // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_prometheus(const metrics_snapshot& snap) {
  std::string out;
  header(out, "spec_notify_up", "gauge", "1 when the pipeline answered this scrape.");
  out += std::string("spec_notify_up ") + (snap.pipeline_up ? "1" : "0") + "\n";
  if (snap.events_detected) {
    header(out, "spec_notify_events_detected_total", "counter",
           "Events detected by the differ (task transitions, stage and pipeline completions).");
    out += "spec_notify_events_detected_total " + std::to_string(*snap.events_detected) + "\n";
  }
  per_subscription(out, snap, "spec_notify_deliveries_attempted_total", "counter", "HTTP delivery attempts.",
                   [](const subscription_status& s) { return s.delivered + s.failed_attempts; });
  per_subscription(out, snap, "spec_notify_deliveries_succeeded_total", "counter",
                   "Attempts answered with 2xx.", [](const subscription_status& s) { return s.delivered; });
  per_subscription(out, snap, "spec_notify_deliveries_failed_total", "counter",
                   "Failed attempts (every retry counts).",
                   [](const subscription_status& s) { return s.failed_attempts; });
  per_subscription(out, snap, "spec_notify_deliveries_dead_lettered_total", "counter",
                   "Deliveries moved to the dead letters.",
                   [](const subscription_status& s) { return s.dead_lettered; });
  per_subscription(out, snap, "spec_notify_queue_depth", "gauge",
                   "Deliveries in the spool (including in flight).",
                   [](const subscription_status& s) { return static_cast<int64_t>(s.pending); });
  per_subscription(out, snap, "spec_notify_in_flight", "gauge", "Requests on the wire now.",
                   [](const subscription_status& s) { return static_cast<int64_t>(s.in_flight); });
  per_subscription(out, snap, "spec_notify_max_in_flight", "gauge",
                   "The subscription's max_in_flight: spec_notify_in_flight never exceeds it.",
                   [](const subscription_status& s) { return static_cast<int64_t>(s.max_in_flight); });
  per_subscription(out, snap, "spec_notify_subscription_paused", "gauge", "1 when paused by an operator.",
                   [](const subscription_status& s) { return s.paused ? int64_t{1} : int64_t{0}; });
  per_subscription(out, snap, "spec_notify_subscription_disabled", "gauge",
                   "1 when disabled by a 410 answer.",
                   [](const subscription_status& s) { return s.disabled.empty() ? int64_t{0} : int64_t{1}; });
  // Only subscriptions with the policy get these series (a 0 would read as "open" or "no tokens").
  header(out, "spec_notify_circuit_open", "gauge", "1 while the circuit breaker is open, 0 while closed.");
  for (const auto& s : snap.subscriptions)
    if (!s.circuit.empty())
      out += "spec_notify_circuit_open{" + label(s) + "} " + (s.circuit == "open" ? "1" : "0") + "\n";
  header(out, "spec_notify_circuit_open_since_seconds", "gauge",
         "Unix time the circuit opened (0 while closed).");
  for (const auto& s : snap.subscriptions)
    if (!s.circuit.empty())
      out += "spec_notify_circuit_open_since_seconds{" + label(s) + "} " + seconds(s.circuit_since_ms) + "\n";
  header(out, "spec_notify_consecutive_failures", "gauge", "Failed attempts in a row (breaker streak).");
  for (const auto& s : snap.subscriptions)
    if (!s.circuit.empty())
      out += "spec_notify_consecutive_failures{" + label(s) + "} " + std::to_string(s.consecutive_failures) +
             "\n";
  header(out, "spec_notify_rate_limit_tokens", "gauge", "Rate limit tokens available now (0..burst).");
  for (const auto& s : snap.subscriptions) {
    if (s.rate_tokens < 0) continue;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s.rate_tokens);
    out += "spec_notify_rate_limit_tokens{" + label(s) + "} " + buf + "\n";
  }
  // Ordering: per-key depth as two gauges, not one series per key (a repo has thousands of tasks).
  per_subscription(out, snap, "spec_notify_ordering_keys_waiting", "gauge",
                   "Ordering keys with deliveries waiting behind their head (ordering task or spec).",
                   [](const subscription_status& s) { return s.keys_waiting; });
  per_subscription(out, snap, "spec_notify_ordering_longest_key_queue", "gauge",
                   "Deliveries of the longest ordering key queue, head included (0 when none waits).",
                   [](const subscription_status& s) { return s.longest_key_queue; });
  histogram(out, snap);
  return out;
}

}  // namespace spec_notify::metrics
