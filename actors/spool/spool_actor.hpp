#pragma once
// spool: the ONE writer of the delivery spool -- dlv/<sub>/<id> (pending deliveries), dead/<sub>/<id> (dead
// letters), sub/<sub>/{disabled,paused,rate,breaker} -- and of the router's outbox step (evt/ consumed,
// seq/). Writers: the router (new deliveries, one synced batch per chunk), each deliverer (attempts,
// removals, dead-letter moves, pause/disable flags), the admin actor (replays) and the dead-letter keeper
// (retention). Each sends a `changes` (changes.hpp: the keys and records are built there) and, when it must
// know, waits for the reply; readers (deliverers at start, admin list, metrics) read the store directly.
// Group commit: changes that arrive while one is being written are written together in one LevelDB batch
// (synced if any of them asks for it), so a burst costs one fsync per group, not one per writer.
// Order: changes are applied in mailbox order, so one writer's changes are applied in the order it sent
// them (CAF keeps the order of one sender's messages).
// Life cycle: owned by serve, like the store: spawned before the pipeline, stopped after it (stop_spool
// writes what is still queued first). Runs detached: it waits for fsync.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "actors/spool/changes.hpp"
#include "actors/spool/fresh_records.hpp"
#include "actors/store/store.hpp"
#include "messages/status.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

using spool_actor = caf::typed_actor<
    // every writer: one atomic batch; the reply (ok, or the store's failure) once it is written
    caf::replies_to<spool::changes>::with<status>,
    // serve, after the pipeline stopped: true once everything sent before it is written
    caf::replies_to<flush_atom>::with<bool>>;

}  // namespace spec_notify

namespace spec_notify::spool {

// How a stage hands changes to the spool.
struct port {
  // Returns once the changes are written (durable when synced), or why not.
  std::function<status(changes)> write;
  // Returns at once (for changes nobody reads back before they are applied, e.g. a delivered delivery's
  // removal); a failure is logged by the spool.
  std::function<void(changes)> post;
  // Records the router just had written, for their first attempt (fresh_records.hpp); may be null.
  std::shared_ptr<fresh_records> fresh;
};

// Through a running spool actor (the daemon). `write` blocks the calling thread until the reply.
port through(caf::actor_system& sys, spool_actor spool);
// Straight to the store, in the caller's thread: for a process that holds the store alone and runs no spool
// (`--replay` without a daemon, tests of one stage).
port direct(store::db_ptr db);

// `detached = false` only for tests on CAF's deterministic scheduler.
spool_actor spawn_spool(caf::actor_system& sys, store::db_ptr db, bool detached = true);

// Writes what is still queued, then stops the spool and waits until it is gone. Call after every writer
// stopped. Failed: the spool did not answer within `deadline` (what it held is lost like a kill -9 would lose
// it: the store keeps the rest).
status stop_spool(caf::actor_system& sys, const spool_actor& spool, std::chrono::milliseconds deadline);

}  // namespace spec_notify::spool

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(spec_notify::status)
