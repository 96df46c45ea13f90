#define BOOST_TEST_MODULE prometheus_text
#include "actors/metrics/prometheus_text.hpp"

#include <boost/test/unit_test.hpp>

using namespace spec_notify;
using namespace spec_notify::metrics;

namespace {

subscription_status chatops() {
  subscription_status s;
  s.name = "chatops";
  s.pending = 3;
  s.in_flight = 1;
  s.max_in_flight = 4;
  s.delivered = 5;
  s.failed_attempts = 2;
  s.dead_lettered = 1;
  s.latency_buckets.assign(latency_bucket_count, 0);
  s.latency_buckets[latency_bucket_index(3)] += 4;      // 4 x <= 5 ms
  s.latency_buckets[latency_bucket_index(700)] += 2;    // 2 x <= 1 s
  s.latency_buckets[latency_bucket_index(60000)] += 1;  // 1 x above 10 s
  s.latency_sum_ms = 4 * 3 + 2 * 700 + 60000;
  return s;
}

bool contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(latency_bucket_index_puts_bounds_in_their_own_bucket_and_overflow_last) {
  BOOST_TEST(latency_bucket_index(0) == 0u);
  BOOST_TEST(latency_bucket_index(5) == 0u);
  BOOST_TEST(latency_bucket_index(6) == 1u);
  BOOST_TEST(latency_bucket_index(10000) == latency_bucket_count - 2);
  BOOST_TEST(latency_bucket_index(10001) == latency_bucket_count - 1);
  BOOST_TEST(latency_bucket_index(-1) == 0u);
}

BOOST_AUTO_TEST_CASE(render_prometheus_writes_counters_and_gauges_per_subscription) {
  metrics_snapshot snap;
  snap.pipeline_up = true;
  snap.events_detected = 7;
  snap.subscriptions = {chatops()};
  auto text = render_prometheus(snap);
  BOOST_TEST(contains(text, "spec_notify_up 1"));
  BOOST_TEST(contains(text, "# TYPE spec_notify_events_detected_total counter"));
  BOOST_TEST(contains(text, "spec_notify_events_detected_total 7"));
  BOOST_TEST(contains(text, "spec_notify_deliveries_attempted_total{subscription=\"chatops\"} 7"));
  BOOST_TEST(contains(text, "spec_notify_deliveries_succeeded_total{subscription=\"chatops\"} 5"));
  BOOST_TEST(contains(text, "spec_notify_deliveries_failed_total{subscription=\"chatops\"} 2"));
  BOOST_TEST(contains(text, "spec_notify_deliveries_dead_lettered_total{subscription=\"chatops\"} 1"));
  BOOST_TEST(contains(text, "spec_notify_queue_depth{subscription=\"chatops\"} 3"));
  BOOST_TEST(contains(text, "spec_notify_in_flight{subscription=\"chatops\"} 1"));
  BOOST_TEST(contains(text, "spec_notify_max_in_flight{subscription=\"chatops\"} 4"));
  BOOST_TEST(contains(text, "spec_notify_subscription_disabled{subscription=\"chatops\"} 0"));
}

BOOST_AUTO_TEST_CASE(render_prometheus_writes_a_cumulative_latency_histogram_in_seconds) {
  metrics_snapshot snap;
  snap.pipeline_up = true;
  snap.subscriptions = {chatops()};
  auto text = render_prometheus(snap);
  const std::string b = "spec_notify_delivery_latency_seconds_bucket{subscription=\"chatops\",le=";
  BOOST_TEST(contains(text, "# TYPE spec_notify_delivery_latency_seconds histogram"));
  BOOST_TEST(contains(text, b + "\"0.005\"} 4"));
  BOOST_TEST(contains(text, b + "\"0.500\"} 4"));
  BOOST_TEST(contains(text, b + "\"1.000\"} 6"));
  BOOST_TEST(contains(text, b + "\"10.000\"} 6"));
  BOOST_TEST(contains(text, b + "\"+Inf\"} 7"));
  BOOST_TEST(contains(text, "spec_notify_delivery_latency_seconds_count{subscription=\"chatops\"} 7"));
  BOOST_TEST(contains(text, "spec_notify_delivery_latency_seconds_sum{subscription=\"chatops\"} 61.412"));
}

BOOST_AUTO_TEST_CASE(render_prometheus_reports_a_pipeline_that_did_not_answer_as_down) {
  auto text = render_prometheus(metrics_snapshot{});
  BOOST_TEST(contains(text, "spec_notify_up 0"));
  BOOST_TEST(text.find("spec_notify_events_detected_total ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(escape_label_escapes_backslash_quote_and_newline) {
  BOOST_TEST(escape_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}
