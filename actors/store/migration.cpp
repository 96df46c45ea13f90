#include "actors/store/migration.hpp"

#include <leveldb/write_batch.h>

#include "actors/log.hpp"
#include "actors/store/keys.hpp"
#include "actors/store/records.hpp"
#include "actors/store/store.hpp"

namespace spec_notify::store {
namespace {

// The subscription a format-1 delivery belongs to, from its JSON; "" when the value names none.
std::string subscription_of(const std::string& value) {
  std::string id, sub;
  int64_t next = 0;
  if (peek_schedule_fields(value, id, sub, next)) return sub;
  delivery d;
  return decode(value, d) ? d.subscription : std::string();
}

struct moves {
  size_t moved = 0, left = 0;
};

// Adds to `wb` the move of every format-1 key of `keys` (dlv/<id> or dead/<id>) to its format-2 key.
moves plan(const db& store, const sub_keyspace& keys, bool (*parse_old)(const std::string&, std::string&),
           leveldb::WriteBatch& wb) {
  moves m;
  store.scan(keys.prefix(), [&](const std::string& key, const std::string& value) {
    std::string id;
    if (!parse_old(key, id)) return true;  // already format 2
    const std::string sub = subscription_of(value);
    if (!key_safe_subscription(sub)) {
      ++m.left;
      return true;
    }
    wb.Delete(key);
    wb.Put(keys.key(sub, id), value);
    ++m.moved;
    return true;
  });
  return m;
}

}  // namespace

std::string migrate_layout(db& store) {
  std::string version;
  const bool versioned = store.get(schema_version_key, version);
  if (versioned && version == current_schema_version) return {};
  if (versioned && version != "1")
    return "state store " + store.dir() + " has schema version " + version +
           "; this spec-notify reads versions 1 and " + current_schema_version +
           " (a newer spec-notify wrote it? refusing to use it; see docs/upgrade.md, Rollback)";
  leveldb::WriteBatch wb;
  const moves pending = plan(store, pending_keys, format_1::parse_delivery_key, wb);
  const moves dead = plan(store, dead_keys, format_1::parse_dead_key, wb);
  wb.Put(schema_version_key, current_schema_version);
  if (auto err = store.write_batch(wb, true); !err.empty())
    return "cannot migrate state store " + store.dir() + " to schema version " + current_schema_version +
           ": " + err;
  if (!versioned && pending.moved + pending.left + dead.moved + dead.left == 0) return {};  // a new store
  std::string line = store.dir() + ": migrated the state from schema version 1 to " + current_schema_version +
                     ": " + std::to_string(pending.moved) + " pending delivery(ies) and " +
                     std::to_string(dead.moved) +
                     " dead letter(s) moved under dlv/<subscription>/ and "
                     "dead/<subscription>/";
  if (pending.left + dead.left > 0)
    line += "; " + std::to_string(pending.left + dead.left) +
            " record(s) naming no valid subscription left under their old keys";
  logging::info("store", line);
  return {};
}

}  // namespace spec_notify::store
