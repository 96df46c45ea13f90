#pragma once
// evidence writer: appends one JSON line per attempt / dry-run / replay under
// <evidence_dir>/commands/<SPEC-ID>/webhooks/ (evidence_log.hpp), with FIFO rotation. Upstream: deliverers
// (delivery_outcome). Runs detached so file appends never sit on the delivery hot path. Never writes secrets:
// outcomes carry no headers or signatures.
// Never writes outside evidence_dir (symlinks planted in the repo are refused, evidence_log.hpp). A record
// that cannot be written (refused symlink, full disk, folder that cannot be created) is kept in memory,
// bounded (evidence_queue.hpp), retried every retry_interval and with every new record, and written once
// possible; each distinct failure is logged once (a warning naming the path), and "writing again" once it
// clears.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "messages/outcome.hpp"

namespace spec_notify {

// What a deliverer may send it: one outcome per attempt, dry run or replay.
using evidence_actor = caf::typed_actor<caf::reacts_to<delivery_outcome>>;

}  // namespace spec_notify

namespace spec_notify::evidence {

// trusted_root: settings.repo (see evidence_log's constructor); empty = no symlink followed from "/".
evidence_actor spawn_evidence_writer(caf::local_actor* parent, std::filesystem::path evidence_dir,
                                     int64_t max_bytes_per_spec, std::filesystem::path trusted_root = {},
                                     std::chrono::milliseconds retry_interval = std::chrono::seconds(1));

}  // namespace spec_notify::evidence
