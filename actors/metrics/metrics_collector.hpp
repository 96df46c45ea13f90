#pragma once
// Gathers a metrics_snapshot from the live pipeline: asks the supervisor for the live stages (wire_atom),
// then the differ (status_atom -> int64 events detected) and every deliverer (status_atom ->
// subscription_status).
//
// Called from the metrics server's HTTP threads, which are NOT CAF scheduler threads, so blocking on a
// scoped_actor there is fine. Each request is bounded by `timeout`; a stage that does not answer in time
// (busy, or restarting) is left out of this scrape instead of failing it. Never throws.
#include <caf/fwd.hpp>
#include <chrono>

#include "actors/metrics/prometheus_text.hpp"
#include "actors/supervisor/supervisor_actor.hpp"

namespace spec_notify::metrics {

// `supervisor` may be invalid (pipeline not running): the snapshot then says pipeline_up = false.
metrics_snapshot collect_metrics(caf::actor_system& sys, const supervisor_actor& supervisor,
                                 std::chrono::milliseconds timeout);

}  // namespace spec_notify::metrics
