#pragma once
// router: matches each event against the subscriptions' filters and hands one durable delivery per match to
// that subscription's deliverer. Upstream: differ (event_batch). Downstream: deliverers (delivery_batch).
// Persists: dlv/ records + removal of the consumed evt/ records, in one synced batch (fan_out.hpp). At start
// it drains evt/ records a crash left behind. Runs detached (waits for fsync).
#include <caf/fwd.hpp>
#include <vector>

#include "actors/store/store.hpp"
#include "config/settings.hpp"

namespace spec_notify::router {

caf::actor spawn_router(caf::local_actor* parent, store::db_ptr db,
                        std::vector<config::subscription_settings> subs);

}  // namespace spec_notify::router
