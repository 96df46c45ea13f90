#pragma once
// The store half of the admin requests "list" and "replay": turns an admin_request into an admin_reply using
// operations.hpp, and records every replay in the evidence (kind "replay", outcome "requeued", attempt 0;
// the attempts that follow carry replay=true too). Shared by the admin actor (daemon running) and the CLI
// (no daemon: it opens the store itself), so both paths answer identically.
// Evidence: a fresh evidence_log per call appends with O_APPEND whole lines, so it can share the folders
// with the daemon's evidence writer; the writer's size cache then lags by these few lines until its next
// rotation check, an accepted overshoot of a few hundred bytes per replay.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "actors/store/store.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/delivery.hpp"

namespace spec_notify::admin {

struct evidence_target {
  std::filesystem::path dir;  // settings.evidence_dir
  int64_t max_bytes_per_spec = 0;
  std::filesystem::path repo;  // settings.repo: the trusted root (no symlink followed below it)
};

admin_reply handle_list(const store::db& db, const admin_request& req);

// REQUIRES: req.ids non-empty, or req.failed. `replayed` receives the records now in dlv/ (for the running
// deliverers). Evidence write failures are reported in reply.message but do not undo the replay.
admin_reply handle_replay(store::db& db, const admin_request& req, const evidence_target& evidence,
                          std::vector<delivery>& replayed);

}  // namespace spec_notify::admin
