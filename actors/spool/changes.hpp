#pragma once
// What one writer asks the spool to write, as ONE atomic batch. The spool (spool_actor.hpp) is the only
// writer of the delivery spool -- dlv/<sub>/<id>, dead/<sub>/<id>, sub/<sub>/* -- and of the router's outbox
// step (the evt/ records it consumes, seq/<sub>/<key>), so those keys are built here and nowhere else: a
// stage says what happened (a delivery added, attempted, delivered, buried...) and this class turns it into
// keys (store/keys.hpp) and records (store/records.hpp). Encoding happens in the caller's thread, so the
// spool's own thread only writes.
// Durability: synced unless every change of the batch allows buffered (survives kill -9, not power loss):
// the caller says which with `buffered()`.
#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <string>

#include "actors/store/keys.hpp"
#include "actors/store/store.hpp"
#include "messages/delivery.hpp"

namespace spec_notify::spool {

class changes {
 public:
  // Router: a new delivery (dlv/), the event it came from consumed (evt/), an ordering key's last sequence
  // number (seq/).
  void add(const delivery& d);
  void consume_event(const std::string& event_id);
  void set_sequence(const std::string& sequence_key, int64_t last);  // key: store::sequence_key(sub, key)
  // Deliverer: a delivery's new attempt count / next attempt; delivered (gone); moved to the dead letters.
  void update(const delivery& d);
  void remove(const std::string& sub, const std::string& id);
  void bury(const delivery& d);  // d.next_at_ms = when it died
  // Admin replay: a dead letter (or a still-pending delivery of a disabled subscription) back in dlv/ as `d`.
  void unbury(const delivery& d);
  // Dead-letter keeper: one dead letter past retention (its key as the scan found it).
  void drop_dead(const std::string& sub, const std::string& id);
  // Per-subscription state (keys.hpp sub_field): set to `value`, or cleared.
  void set(const std::string& sub, store::sub_field field, const std::string& value);
  void clear(const std::string& sub, store::sub_field field);

  // Allow a buffered write (no fsync) for this batch: for changes whose loss to a power cut only sends a
  // delivery again under its webhook-id (a delivered one's removal, a retry's attempt count).
  void buffered() { durability_ = store::durability::buffered; }
  store::durability durability() const { return durability_; }
  bool empty() const { return batch_.empty(); }
  size_t size() const { return batch_.size(); }
  size_t bytes() const { return batch_.bytes(); }

  // Moves `other` after this one (group commit); the result is synced if either is.
  void append(changes&& other);
  const store::batch& batch() const { return batch_; }

 private:
  store::batch batch_;
  store::durability durability_ = store::durability::synced;
};

// Writes `c` to `db`: the one place spool changes meet the store (the spool actor, and processes that hold
// the store alone: `--replay` without a daemon, tests).
[[nodiscard]] status apply(store::db& db, const changes& c);

}  // namespace spec_notify::spool

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(spec_notify::spool::changes)
