#include "actors/router/router_actor.hpp"

#include <caf/all.hpp>
#include <memory>

#include "actors/log.hpp"
#include "actors/router/fan_out.hpp"

namespace spec_notify::router {
namespace {

struct router_state {
  router_state() {}
  std::unique_ptr<fan_out> core;
  deliverer_map deliverers;
  std::vector<event> held;  // events waiting for the first wiring
};

using self_ptr = router_actor::stateful_pointer<router_state>;

void route(self_ptr self, const std::vector<event>& events) {
  auto& st = self->state;
  routed out;
  std::vector<std::string> untaken;
  if (auto routed_ok = st.core->route(events, out, &untaken); !routed_ok) {
    // Chunks written before the failure are in `out` and go out now; the rest keep their evt/ records and
    // are routed again at the next start. Say so loudly.
    logging::error("router", "cannot persist deliveries (unrouted events kept for the next start): " +
                                 routed_ok.message());
  }
  // One line per untaken transition explains a filter; a 50,000-row burst must not become 50,000 log lines.
  constexpr size_t kUntakenLines = 20;
  for (size_t i = 0; i < untaken.size() && i < kUntakenLines; ++i) logging::info("router", untaken[i]);
  if (untaken.size() > kUntakenLines)
    logging::info("router", "... and " + std::to_string(untaken.size() - kUntakenLines) +
                                " more transition(s) of this change taken by no subscription (same filters)");
  for (auto& [name, list] : out) {
    auto it = st.deliverers.find(name);
    if (it == st.deliverers.end()) continue;  // its deliverer loads them from the spool when it starts
    logging::debug("router", std::to_string(list.size()) + " delivery(ies) for " + name);
    delivery_batch refs;
    refs.items.reserve(list.size());
    for (const auto& d : list) refs.items.push_back(ref_to(d));
    self->send(it->second, std::move(refs));
  }
}

router_actor::behavior_type router_behavior(self_ptr self, store::db_ptr db, spool::port spool,
                                            std::vector<config::subscription_settings> subs) {
  self->state.core = std::make_unique<fan_out>(std::move(db), subs, chunk_limits{}, std::move(spool.write));
  self->state.held = self->state.core->leftovers();
  if (!self->state.held.empty())
    logging::info("router",
                  "re-routing " + std::to_string(self->state.held.size()) + " event(s) left by a stop");
  return {
      [=](wire_atom, const deliverer_map& deliverers) {
        self->state.deliverers = deliverers;
        if (!self->state.held.empty()) {
          auto held = std::move(self->state.held);
          self->state.held.clear();
          route(self, held);
        }
      },
      [=](const event_batch& batch) { route(self, batch.items); },
  };
}

}  // namespace

router_actor spawn_router(caf::local_actor* parent, store::db_ptr db, spool::port spool,
                          std::vector<config::subscription_settings> subs) {
  return parent->spawn<caf::detached + caf::monitored>(router_behavior, std::move(db), std::move(spool),
                                                       std::move(subs));
}

}  // namespace spec_notify::router
