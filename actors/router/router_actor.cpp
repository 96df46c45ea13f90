#include "actors/router/router_actor.hpp"

#include <caf/all.hpp>
#include <memory>

#include "actors/log.hpp"
#include "actors/router/fan_out.hpp"
#include "actors/util/clock.hpp"

namespace spec_notify::router {
namespace {

struct router_state {
  router_state() {}
  std::unique_ptr<fan_out> core;
  spool_actor spool;
  std::shared_ptr<spool::fresh_records> fresh;  // may be null
  deliverer_map deliverers;
  std::vector<event> held;  // events waiting for the first wiring
};

using self_ptr = router_actor::stateful_pointer<router_state>;

void hand_over(self_ptr self, routed& out) {
  auto& st = self->state;
  for (auto& [name, list] : out) {
    auto it = st.deliverers.find(name);
    if (it == st.deliverers.end()) continue;  // its deliverer loads them from the spool when it starts
    logging::debug("router", std::to_string(list.size()) + " delivery(ies) for " + name);
    delivery_batch refs;
    refs.subscription = name;
    refs.items.reserve(list.size());
    for (const auto& d : list) refs.items.push_back(ref_to(d));
    // Written (the spool answered): the first attempt may take the record from memory instead of the store.
    if (st.fresh) {
      const int64_t now = util::unix_now_ms();
      for (auto& d : list) st.fresh->put(std::move(d), now);
    }
    self->send(it->second, std::move(refs));
  }
}

// One event batch on its way through the spool, chunk by chunk.
struct routing {
  std::vector<event> events;
  std::vector<std::string> untaken;  // why each untaken event was taken by no subscription
};

// One line per untaken transition explains a filter; a 50,000-row burst must not become 50,000 log lines.
void log_untaken(const std::vector<std::string>& untaken) {
  constexpr size_t kUntakenLines = 20;
  for (size_t i = 0; i < untaken.size() && i < kUntakenLines; ++i) logging::info("router", untaken[i]);
  if (untaken.size() > kUntakenLines)
    logging::info("router", "... and " + std::to_string(untaken.size() - kUntakenLines) +
                                " more transition(s) of this change taken by no subscription (same filters)");
}

// Writes the chunk starting at events[from] through the spool and, once it is written, hands its deliveries
// to the deliverers and goes on with the next chunk. await: no other message (a later event batch, a new
// wiring) is handled in between, so chunks are written in order and a later batch sees this one's evt/
// deletions; the spool's fsync runs on its own thread, not on ours.
void route_from(self_ptr self, std::shared_ptr<routing> r, size_t from) {
  auto& st = self->state;
  auto c = std::make_shared<fan_out::chunk>(st.core->next_chunk(r->events, from, &r->untaken));
  if (c->changes.empty()) return log_untaken(r->untaken);  // all routed
  auto failed = [self, r](const std::string& why) {
    self->state.core->not_written();
    // The rest keep their evt/ records and are routed again at the next start. Say so loudly.
    logging::error("router", "cannot persist deliveries (unrouted events kept for the next start): " + why);
    log_untaken(r->untaken);
  };
  // No timeout: see spool::through (a chunk given up on could still be written, its numbers then reused).
  self->request(st.spool, caf::infinite, std::move(c->changes))
      .await(
          [=](status& written) {
            if (!written) return failed(written.message());
            self->state.core->written();
            hand_over(self, c->deliveries);
            route_from(self, r, c->next);
          },
          [=](caf::error& e) { failed("the spool is not running: " + self->system().render(e)); });
}

void route(self_ptr self, std::vector<event> events) {
  auto r = std::make_shared<routing>();
  r->events = std::move(events);
  route_from(self, std::move(r), 0);
}

router_actor::behavior_type router_behavior(self_ptr self, store::db_ptr db, spool_actor spool,
                                            std::shared_ptr<spool::fresh_records> fresh,
                                            std::vector<config::subscription_settings> subs) {
  self->state.core = std::make_unique<fan_out>(std::move(db), subs);
  self->state.spool = std::move(spool);
  self->state.fresh = std::move(fresh);
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
          route(self, std::move(held));
        }
      },
      [=](event_batch& batch) { route(self, std::move(batch.items)); },  // moved: no copy of the events
  };
}

}  // namespace

router_actor spawn_router(caf::local_actor* parent, store::db_ptr db, spool_actor spool,
                          std::vector<config::subscription_settings> subs,
                          std::shared_ptr<spool::fresh_records> fresh) {
  return parent->spawn<caf::monitored>(router_behavior, std::move(db), std::move(spool), std::move(fresh),
                                       std::move(subs));
}

}  // namespace spec_notify::router
