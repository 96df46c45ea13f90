#pragma once
// The router's logic without the actor: matches events against the subscriptions and turns each match into a
// durable delivery. The dlv/ records of a batch of events are written in the same synced LevelDB batch that
// deletes those events' evt/ records, so an event is either still pending fan-out or fully fanned out.
// Called by router_actor only (single-threaded use).
#include <map>
#include <string>
#include <vector>

#include "actors/router/subscription_filter.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/delivery.hpp"
#include "messages/event.hpp"

namespace spec_notify::router {

using routed = std::map<std::string, std::vector<delivery>>;  // subscription name -> new deliveries

class fan_out {
 public:
  fan_out(store::db_ptr db, const std::vector<config::subscription_settings>& subs);

  // Persists one delivery per (event, matching enabled subscription) and consumes the events' evt/ records.
  // On a store error returns false with `error` set and nothing changed (the evt/ records stay for a retry).
  bool route(const std::vector<event>& events, routed& out, std::string& error);

  // Events left in evt/ by a crash between the differ's write and the fan-out.
  std::vector<event> leftovers() const;

 private:
  struct target {
    std::string name;
    filter f;
  };
  store::db_ptr db_;
  std::vector<target> targets_;
};

}  // namespace spec_notify::router
