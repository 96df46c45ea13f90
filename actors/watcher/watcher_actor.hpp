#pragma once
// watcher: notices which task files changed and tells the differ (files_changed). Upstream: the file system.
// Downstream: differ (from wiring). Persists nothing: after a restart it reports every file once, and the
// differ's durable baseline decides what actually changed.
// Runs detached (stat/readdir block). Polls stamps every `interval`; the first report after start lists all
// files, which is what lets the differ record the baseline or catch up on changes made while it was down.
#include <caf/fwd.hpp>
#include <chrono>
#include <filesystem>

namespace spec_notify::watcher {

caf::actor spawn_watcher(caf::local_actor* parent, std::filesystem::path repo, std::chrono::milliseconds interval);

}  // namespace spec_notify::watcher
