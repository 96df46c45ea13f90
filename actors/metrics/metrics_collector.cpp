#include "actors/metrics/metrics_collector.hpp"

#include <algorithm>
#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"

namespace spec_notify::metrics {
namespace {

bool fetch_wiring(caf::scoped_actor& self, const caf::actor& supervisor, std::chrono::milliseconds timeout,
                  wiring& out) {
  bool ok = false;
  self->request(supervisor, timeout, wire_atom::value)
      .receive(
          [&](wiring& w) {
            out = std::move(w);
            ok = true;
          },
          [&](caf::error&) {});
  return ok;
}

}  // namespace

metrics_snapshot collect_metrics(caf::actor_system& sys, const caf::actor& supervisor,
                                 std::chrono::milliseconds timeout) {
  metrics_snapshot snap;
  if (!supervisor) return snap;
  caf::scoped_actor self{sys};
  wiring w;
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
