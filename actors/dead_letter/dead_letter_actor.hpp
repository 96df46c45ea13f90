#pragma once
// dead-letter keeper: owns dead/ retention. Upstream: deliverers (delivery_outcome of kind dead_lettered; the
// deliverer already had the spool move the record dlv/ -> dead/ in one batch). Prunes dead letters older than
// dead_letter_retention at start and then hourly (the spool actor deletes them). Listing and replay go
// through the admin path.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <functional>

#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "messages/outcome.hpp"

namespace spec_notify {

// What a deliverer may send it: the outcome of a delivery it moved to dead/.
using dead_letter_actor = caf::typed_actor<caf::reacts_to<delivery_outcome>>;

}  // namespace spec_notify

namespace spec_notify::dead_letter {

// Reads dead/ from `db`; deletes through `spool` (spool::through in the daemon).
dead_letter_actor spawn_dead_letter_keeper(caf::local_actor* parent, store::db_ptr db, spool::port spool,
                                           std::chrono::milliseconds retention);

// Deletes dead letters that died before `cutoff_ms` (through `write`, straight to `db` when none is given):
// how many, or the store's failure (nothing deleted).
result<size_t> prune_dead_letters(store::db& db, int64_t cutoff_ms,
                                  const std::function<status(spool::changes)>& write = {});

}  // namespace spec_notify::dead_letter
