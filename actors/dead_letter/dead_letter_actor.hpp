#pragma once
// dead-letter keeper: owns dead/ retention. Upstream: deliverers (delivery_outcome of kind dead_lettered; the
// deliverer already moved the record dlv/ -> dead/ in one batch). Prunes dead letters older than
// dead_letter_retention at start and then hourly. Listing and replay go through the admin path.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>

#include "actors/store/store.hpp"
#include "messages/outcome.hpp"

namespace spec_notify {

// What a deliverer may send it: the outcome of a delivery it moved to dead/.
using dead_letter_actor = caf::typed_actor<caf::reacts_to<delivery_outcome>>;

}  // namespace spec_notify

namespace spec_notify::dead_letter {

dead_letter_actor spawn_dead_letter_keeper(caf::local_actor* parent, store::db_ptr db,
                                           std::chrono::milliseconds retention);

// Deletes dead letters that died before `cutoff_ms`: how many, or the store's failure (nothing deleted).
result<size_t> prune_dead_letters(store::db& db, int64_t cutoff_ms);

}  // namespace spec_notify::dead_letter
