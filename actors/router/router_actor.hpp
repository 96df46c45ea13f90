#pragma once
// router: matches each event against the subscriptions' filters and hands one durable delivery per match to
// that subscription's deliverer. Upstream: differ (event_batch). Downstream: deliverers (delivery_batch).
// Persists, through the spool actor: dlv/ records + removal of the consumed evt/ records + seq/ numbers, in
// one synced batch per chunk (fan_out.hpp), and hands the deliveries on only once that batch is written. At
// start it drains evt/ records a crash left behind. Runs on the scheduler: it awaits the spool's reply (the
// fsync runs on the spool's thread) instead of blocking a thread.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <map>
#include <string>
#include <vector>

#include "actors/deliverer/deliverer_actor.hpp"
#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

// The running deliverers by subscription name (a disabled or not yet started one is absent).
using deliverer_map = std::map<std::string, deliverer_actor>;

using router_actor = caf::typed_actor<
    // supervisor: the live deliverers (sent again after one restarts)
    caf::reacts_to<wire_atom, deliverer_map>,
    // differ: events already durable under evt/
    caf::reacts_to<event_batch>>;

}  // namespace spec_notify

namespace spec_notify::router {

// Reads evt/ and seq/ from `db`; writes through `spool`; puts each written delivery into `fresh` (when
// given) for its first attempt.
router_actor spawn_router(caf::local_actor* parent, store::db_ptr db, spool_actor spool,
                          std::vector<config::subscription_settings> subs,
                          std::shared_ptr<spool::fresh_records> fresh = nullptr);

}  // namespace spec_notify::router
