#pragma once
// evidence writer: appends one JSON line per attempt / dry-run / replay under
// <evidence_dir>/commands/<SPEC-ID>/webhooks/ (evidence_log.hpp), with FIFO rotation. Upstream: deliverers
// (delivery_outcome). Runs detached so file appends never sit on the delivery hot path. Never writes secrets:
// outcomes carry no headers or signatures.
#include <caf/fwd.hpp>
#include <cstdint>
#include <filesystem>

namespace spec_notify::evidence {

caf::actor spawn_evidence_writer(caf::local_actor* parent, std::filesystem::path evidence_dir,
                                 int64_t max_bytes_per_spec);

}  // namespace spec_notify::evidence
