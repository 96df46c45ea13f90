#pragma once
// watcher: notices which tracked files changed and tells the differ (files_changed). Upstream: the file
// system. Downstream: differ (from wiring). Persists nothing: after a (re)start it reports every tracked file
// once, and the differ's durable baseline decides what actually changed.
// Runs detached. inotify (inotify_source.hpp) gives changes within milliseconds; events are coalesced for
// `coalesce` so one save that touches a file twice is read once, yet saves 250 ms apart are each seen. A
// thread of its own waits in poll() on the inotify fd, so an idle watcher sleeps in its mailbox instead of
// polling. The full stat rescan (rescan_policy.hpp) runs every `rescan` only while a watch is missing, at
// once after a queue overflow, as a safety net every max(60 s, 10 x `rescan`, 1000 x its own CPU time) while
// inotify is healthy, and every 100 ms where inotify is unavailable (then it is the only source).
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "actors/differ/differ_actor.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

// supervisor: the live differ (sent again after it restarts; a new instance gets every file once).
using watcher_actor = caf::typed_actor<caf::reacts_to<wire_atom, differ_actor>>;

}  // namespace spec_notify

namespace spec_notify::watcher {

struct watcher_options {
  std::filesystem::path repo;
  std::string evidence_rel;                // evidence dir relative to the repo, "" when outside it
  std::chrono::milliseconds rescan{1000};  // poll_interval: rescan period while inotify is not trusted
  std::chrono::milliseconds coalesce{15};  // wait this long after the first change before reporting
};

watcher_actor spawn_watcher(caf::local_actor* parent, watcher_options options);

}  // namespace spec_notify::watcher
