#pragma once
// deliverer: one per subscription. Upstream: router (delivery_batch). Downstream: evidence writer and
// dead-letter keeper (delivery_outcome). Owns the subscription's schedule (schedule.hpp) and a pool of
// exactly max_in_flight detached HTTP workers: blocking Poco I/O never runs on CAF's scheduler threads, and
// the pool size IS the concurrency cap. A slow endpoint only fills its own workers; other subscriptions are
// untouched. Persists, through the spool actor (its only writer): attempt counts / next attempt (dlv/), dead
// letters (dead/), the 410 flag, pause, rate and breaker state (sub/<name>/*).
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/dead_letter/dead_letter_actor.hpp"
#include "actors/evidence/evidence_writer_actor.hpp"
#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/admin.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

using deliverer_actor = caf::typed_actor<
    // supervisor: where outcomes go (sent again after either stage restarts)
    caf::reacts_to<wire_atom, evidence_actor, dead_letter_actor>,
    // router (new deliveries) and admin (replayed dead letters)
    caf::reacts_to<delivery_batch>,
    // admin and metrics: live counters
    caf::replies_to<status_atom>::with<subscription_status>,
    // admin: operator pause / resume (resume also clears a 410 disable); enable clears the 410 disable only
    caf::reacts_to<pause_atom>, caf::reacts_to<resume_atom>, caf::reacts_to<enable_atom>>;

}  // namespace spec_notify

namespace spec_notify::deliverer {

// Reads its records from `db`; writes them through `spool` (spool::through in the daemon).
deliverer_actor spawn_deliverer(caf::local_actor* parent, store::db_ptr db, spool::port spool,
                                config::subscription_settings sub);

}  // namespace spec_notify::deliverer
