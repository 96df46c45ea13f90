#pragma once
// differ: turns files_changed into events. Upstream: watcher. Downstream: router (event_batch).
// Persists: last-seen task states + the events they imply, in one synced batch (see engine.hpp), before
// anything is sent. Runs detached: it reads files and waits for fsync.
// Repo content is untrusted: a file it cannot or must not read, or one that fails in any way, is a warning
// naming the file; it never restarts the differ, and the other files of the change are still processed.
#include <caf/fwd.hpp>
#include <filesystem>

#include "actors/differ/engine.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"

namespace spec_notify::differ {

// The per-change cost caps of `cfg` (max_task_rows, max_events_per_diff); values below 1 count as 1.
differ_limits limits_from(const config::settings& cfg);

caf::actor spawn_differ(caf::local_actor* parent, store::db_ptr db, std::filesystem::path repo,
                        differ_limits limits = {});

}  // namespace spec_notify::differ
