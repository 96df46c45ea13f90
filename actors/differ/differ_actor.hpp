#pragma once
// differ: turns files_changed into events. Upstream: watcher. Downstream: router (event_batch).
// Persists: last-seen task states + the events they imply, in one synced batch (see engine.hpp), before
// anything is sent. Runs detached: it reads files and waits for fsync.
#include <caf/fwd.hpp>
#include <filesystem>

#include "actors/store/store.hpp"

namespace spec_notify::differ {

caf::actor spawn_differ(caf::local_actor* parent, store::db_ptr db, std::filesystem::path repo);

}  // namespace spec_notify::differ
