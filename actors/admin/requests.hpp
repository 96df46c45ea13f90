#pragma once
// The store half of the admin requests "list" and "replay": turns an admin_request into an admin_reply using
// operations.hpp. Shared by the admin actor (daemon running) and the CLI (no daemon: it opens the store
// itself), so both paths answer identically.
// Evidence: every replay is recorded (kind "replay", outcome "requeued", attempt 0; the attempts that follow
// carry replay=true too) from replay_outcomes(). The daemon's admin actor sends them to the evidence writer
// actor, the only writer of evidence in the daemon; the CLI without a daemon appends them itself
// (record_offline), through the same evidence_log code and its per-folder lock.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "actors/spool/changes.hpp"
#include "actors/store/store.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/delivery.hpp"
#include "messages/outcome.hpp"

namespace spec_notify::admin {

struct evidence_target {
  std::filesystem::path dir;  // settings.evidence_dir
  int64_t max_bytes_per_spec = 0;
  std::filesystem::path repo;  // settings.repo: the trusted root (no symlink followed below it)
};

admin_reply handle_list(const store::db& db, const admin_request& req);

// REQUIRES: req.ids non-empty, or req.failed. `replayed` receives the records now in dlv/ (for the running
// deliverers, and for replay_outcomes). `write`: as operations.hpp's replay (the spool actor in the daemon).
admin_reply handle_replay(store::db& db, const admin_request& req, std::vector<delivery>& replayed,
                          const std::function<status(spool::changes)>& write = {});

// One "requeued" outcome per replayed delivery, as the evidence records it.
std::vector<delivery_outcome> replay_outcomes(const std::vector<delivery>& replayed, int64_t at_ms);

// Appends `outcomes` to the evidence (no daemon running). "" when all were written, else the first error.
std::string record_offline(const evidence_target& evidence, const std::vector<delivery_outcome>& outcomes);

}  // namespace spec_notify::admin
