#pragma once
// The state format (meta/schema_version) and the one-time migration between formats, run by db::open before
// anyone else uses the store.
//   1 (or no version key: a new or pre-versioning dir): dlv/<id> and dead/<id>, the subscription only inside
//     the JSON value, so every deliverer had to read every pending delivery at start;
//   2: dlv/<subscription>/<id> and dead/<subscription>/<id> (keys.hpp), so a deliverer scans its own prefix.
// Every other key is the same in both.
// Crash safety: all the moves (delete old key, put new key, value byte for byte) and the new version are ONE
// synced LevelDB write batch, so a kill -9 or power loss leaves either the whole old layout, migrated again
// at the next open, or the whole new one; never a mix. Reopening a format-2 dir does nothing.
// A record that cannot be placed (its value names no valid subscription) keeps its old key, as unreadable
// then as before (no deliverer ever loaded it); the log line counts it.
// Memory: the batch holds every pending delivery and dead letter once (a 100k backlog of ~1 kB bodies:
// ~100 MB, once); LevelDB replays it at the next open into one memtable, then starts a fresh log.
// A version other than 1 and 2 (a newer spec-notify wrote it, or garbage) is refused, nothing modified, so
// an older binary never misreads a newer layout.
#include <string>

namespace spec_notify::store {

class db;

inline constexpr const char* current_schema_version = "2";

// Brings `store` to the current format. Returns "" on success, else an error naming the directory. Logs one
// line when records were migrated. REQUIRES: called by db::open only (no other user of the store yet).
std::string migrate_layout(db& store);

}  // namespace spec_notify::store
