#pragma once
// deliverer: one per subscription. Upstream: router (delivery_batch). Downstream: evidence writer and
// dead-letter keeper (delivery_outcome). Owns the subscription's schedule (schedule.hpp) and a pool of
// exactly max_in_flight detached HTTP workers: blocking Poco I/O never runs on CAF's scheduler threads, and
// the pool size IS the concurrency cap. A slow endpoint only fills its own workers; other subscriptions are
// untouched. Persists: attempt counts / next attempt (dlv/), dead letters (dead/), the 410 flag
// (sub/<name>/disabled).
#include <caf/fwd.hpp>

#include "actors/store/store.hpp"
#include "config/settings.hpp"

namespace spec_notify::deliverer {

caf::actor spawn_deliverer(caf::local_actor* parent, store::db_ptr db, config::subscription_settings sub);

}  // namespace spec_notify::deliverer
