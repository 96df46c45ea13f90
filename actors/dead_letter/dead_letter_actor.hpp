#pragma once
// dead-letter keeper: owns dead/ retention. Upstream: deliverers (delivery_outcome of kind dead_lettered; the
// deliverer already moved the record dlv/ -> dead/ in one batch). Prunes dead letters older than
// dead_letter_retention at start and then hourly. Listing and replay go through the admin path.
#include <caf/fwd.hpp>
#include <chrono>

#include "actors/store/store.hpp"

namespace spec_notify::dead_letter {

caf::actor spawn_dead_letter_keeper(caf::local_actor* parent, store::db_ptr db,
                                    std::chrono::milliseconds retention);

// Deletes dead letters that died before `cutoff_ms`; returns how many (also used by the CLI).
size_t prune_dead_letters(store::db& db, int64_t cutoff_ms, std::string& error);

}  // namespace spec_notify::dead_letter
