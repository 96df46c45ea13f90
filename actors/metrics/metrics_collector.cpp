#include "actors/metrics/metrics_collector.hpp"

#include <algorithm>
#include <caf/all.hpp>

namespace spec_notify::metrics {
namespace {

bool fetch_wiring(caf::scoped_actor& self, const supervisor_actor& supervisor,
                  std::chrono::milliseconds timeout, pipeline_handles& out) {
  bool ok = false;
  self->request(supervisor, timeout, wire_atom::value)
      .receive(
          [&](pipeline_handles& w) {
            out = std::move(w);
            ok = true;
          },
          [&](caf::error&) {});
  return ok;
}

}  // namespace

metrics_snapshot collect_metrics(caf::actor_system& sys, const supervisor_actor& supervisor,
                                 std::chrono::milliseconds timeout) {
  metrics_snapshot snap;
  if (!supervisor) return snap;
  caf::scoped_actor self{sys};
  pipeline_handles w;
  if (!fetch_wiring(self, supervisor, timeout, w)) return snap;
  snap.pipeline_up = true;
  if (w.differ)
    self->request(w.differ, timeout, status_atom::value)
        .receive([&](int64_t n) { snap.events_detected = n; }, [&](caf::error&) {});
  for (const auto& [name, deliverer] : w.deliverers) {
    if (!deliverer) continue;
    self->request(deliverer, timeout, status_atom::value)
        .receive([&](subscription_status& s) { snap.subscriptions.push_back(std::move(s)); },
                 [&](caf::error&) {});
  }
  std::sort(snap.subscriptions.begin(), snap.subscriptions.end(),
            [](const subscription_status& a, const subscription_status& b) { return a.name < b.name; });
  return snap;
}

}  // namespace spec_notify::metrics
