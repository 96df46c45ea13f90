#pragma once
// differ: turns files_changed into events. Upstream: watcher. Downstream: router (event_batch).
// Persists: last-seen task states + the events they imply, in one synced batch (see engine.hpp), before
// anything is sent. Runs detached: it reads files and waits for fsync.
// Repo content is untrusted: a file it cannot or must not read, or one that fails in any way, is a warning
// naming the file; it never restarts the differ, and the other files of the change are still processed.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <filesystem>

#include "actors/differ/engine.hpp"
#include "actors/router/router_actor.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/file_change.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

using differ_actor = caf::typed_actor<
    // supervisor: the live router (sent again after it restarts)
    caf::reacts_to<wire_atom, router_actor>,
    // watcher (and the differ itself, for files to read again later)
    caf::reacts_to<files_changed>,
    // metrics: events detected since this instance started
    caf::replies_to<status_atom>::with<int64_t>>;

}  // namespace spec_notify

namespace spec_notify::differ {

// The per-change cost caps of `cfg` (max_task_rows, max_events_per_diff); values below 1 count as 1.
differ_limits limits_from(const config::settings& cfg);

differ_actor spawn_differ(caf::local_actor* parent, store::db_ptr db, std::filesystem::path repo,
                          differ_limits limits = {});

}  // namespace spec_notify::differ
