#pragma once
// The operator's view of the spool: list pending deliveries (dlv/) and dead letters (dead/), and replay dead
// letters. Plain functions on a store::db, used by the admin actor while the daemon runs and by the CLI
// directly (`--list`, `--replay`) when no daemon holds the store. No actor, no I/O besides the store.
//
// Replay contract: dead/<sub>/<id> -> dlv/<sub>/<id> in ONE synced batch, under the SAME id (the receiver's
// idempotency key, so a receiver that did process an earlier attempt can drop the duplicate), attempts reset
// to 0, next_at_ms 0 (due at once), replay = true, history kept (the list still shows why it died). A daemon
// picks a replayed record up at its next start (deliverers load dlv/), or at once when the admin actor hands
// it to the running deliverer. A subscription disabled by HTTP 410 (sub/<name>/disabled) is re-enabled in the
// same batch when any of its deliveries is replayed; an explicit id still pending in such a subscription
// counts as replayable too (410 keeps its events, replayable: contract).
// A replay by id finds the record whatever its subscription (store/find_by_id.hpp: one point read per
// subscription); a list or replay filtered by subscription reads that subscription's key range only.
// Thread-safety: as the store (any thread; concurrent replays of the same id: the second finds no dead/).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/spool/changes.hpp"
#include "actors/store/store.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/delivery.hpp"

namespace spec_notify::admin {

struct list_filter {
  bool failed_only = false;  // dead letters only
  std::string subscription;  // "" = every subscription
  bool with_body = false;    // copy each record's payload into list_row::body
};

// Pending rows first (by next attempt), then dead letters (most recent death last). Records that do not
// decode are skipped.
std::vector<list_row> list_deliveries(const store::db& db, const list_filter& filter);

// The row for one record; `dead` selects the meaning of next_at_ms.
list_row to_row(const delivery& d, bool dead);

struct replay_selection {
  std::vector<std::string> ids;  // explicit ids; when non-empty the filters below are ignored
  // Without ids: every dead letter that died at or after since_ms (0 = any) of `subscription` ("" = any).
  int64_t since_ms = 0;
  std::string subscription;
};

struct replay_outcome {
  std::vector<replay_result> results;  // one per requested id (duplicates folded), or per matched letter
  std::vector<delivery> replayed;      // the records now in dlv/, as written
  std::string error;                   // store write failure ("" on success); every result is then failed
};

// Moves the selected dead letters back to the spool (contract above): reads `db`, writes through `write`
// (the spool actor while the daemon runs; straight to `db` when none is given, for a process that holds the
// store alone). Never throws.
replay_outcome replay(store::db& db, const replay_selection& sel,
                      const std::function<status(spool::changes)>& write = {});

// Dead letters per subscription name (for status).
std::vector<std::pair<std::string, int32_t>> count_dead_letters(const store::db& db);

// The open circuits the store holds (sub/<name>/breaker = unix ms it opened) for `subscriptions`, in that
// order: one status_row each, with live.name, live.circuit = "open" and live.circuit_since_ms set, running
// false. Names without the key (closed) or with an unreadable value are left out. For `--list` when no
// daemon runs; callers pass only subscriptions whose config has a breaker, since a daemon ignores the key
// of one without.
std::vector<status_row> stored_circuits(const store::db& db, const std::vector<std::string>& subscriptions);

}  // namespace spec_notify::admin
