#pragma once
// Every key of the store, built and parsed in this one file (as LevelDB's db/filename.h does for file names):
// a builder and a parser per key shape, so no caller spells a prefix or splits a key itself.
//
// Layout (format 2; store.hpp says what each value holds):
//   meta/schema_version | meta/baseline | meta/checkpoint
//   task/<file>\0<task id>
//   evt/<event id>
//   dlv/<subscription>/<delivery id>     pending delivery
//   dead/<subscription>/<delivery id>    dead letter
//   sub/<subscription>/{disabled,paused,rate,breaker}
//   seq/<subscription>/<ordering key>
//   seen/<telemetry file, relative to the repo>
// Why '/' separates a subscription from what follows: a subscription name is non-empty and made of
// [a-z0-9_-] only (config::valid_subscription_name, enforced when the config loads), and delivery ids of
// [A-Za-z0-9_] (util::random_id), so the first '/' after the prefix always ends the name, whatever the rest
// holds (ordering keys and telemetry paths may contain '/'). A prefix scan of `dlv/<name>/` cannot match
// another name either: the '/' closes it ("dlv/a/" is no prefix of "dlv/a-b/...").
// Format 1 (before issue 15) had dlv/<delivery id> and dead/<delivery id>, with the subscription only in
// the JSON value; format_1:: parses those for the one-time migration (migration.hpp).
#include <string>

#include "messages/delivery.hpp"

namespace spec_notify::store {

inline constexpr const char* schema_version_key = "meta/schema_version";
inline constexpr const char* baseline_key = "meta/baseline";  // "1" once the differ recorded the first scan
inline constexpr const char* checkpoint_key = "meta/checkpoint";

// Scans use the *_prefix constants (every record of a kind) or sub_keyspace::range (one subscription's);
// single records the *_key builders. Every parse returns false, leaving its outputs unspecified, for a key
// of another shape.
inline constexpr const char* task_prefix_all = "task/";
inline constexpr const char* event_prefix = "evt/";
inline constexpr const char* delivery_prefix = "dlv/";
inline constexpr const char* dead_prefix = "dead/";
inline constexpr const char* seen_prefix = "seen/";

// REQUIRES (of every `sub` below): a valid subscription name (see the top comment); ids without '/'.

// Last-seen state of one task row. `file` is a path relative to the repo (never holds '\0').
std::string task_prefix(const std::string& file);
std::string task_key(const std::string& file, const std::string& task_id);
bool parse_task_key(const std::string& key, std::string& file, std::string& task_id);

std::string event_key(const std::string& id);
bool parse_event_key(const std::string& key, std::string& id);

// A key family <prefix><subscription>/<tail>: one key range per subscription, so a subscription's records
// are one prefix scan and a seek can skip from one subscription's range to the next (find_by_id.hpp).
class sub_keyspace {
 public:
  constexpr sub_keyspace(const char* prefix, bool tail_may_nest)
      : prefix_(prefix), tail_may_nest_(tail_may_nest) {}
  const char* prefix() const { return prefix_; }    // every subscription's records
  std::string range(const std::string& sub) const;  // <prefix><sub>/: one subscription's
  std::string key(const std::string& sub, const std::string& tail) const;
  bool parse(const std::string& key, std::string& sub, std::string& tail) const;

 private:
  const char* prefix_;
  bool tail_may_nest_;  // the tail may hold '/' (ordering keys); ids never do
};

inline constexpr sub_keyspace pending_keys{delivery_prefix, false};  // dlv/<sub>/<delivery id>
inline constexpr sub_keyspace dead_keys{dead_prefix, false};         // dead/<sub>/<delivery id>
// seq/<sub>/<ordering key>: the last sequence number given to a delivery of `sub` under that ordering key
// (decimal text). Written by the router in the same batch as the deliveries it numbers, so numbers are
// gap-free across crashes. The ordering key may hold any byte ('/' included).
inline constexpr sub_keyspace sequence_keys{"seq/", true};

inline std::string delivery_key(const std::string& sub, const std::string& id) {
  return pending_keys.key(sub, id);
}
inline std::string delivery_key(const delivery& d) {
  return pending_keys.key(d.subscription, d.id);
}
inline std::string dead_key(const std::string& sub, const std::string& id) {
  return dead_keys.key(sub, id);
}
inline std::string dead_key(const delivery& d) {
  return dead_keys.key(d.subscription, d.id);
}
inline std::string sequence_key(const std::string& sub, const std::string& ordering_key) {
  return sequence_keys.key(sub, ordering_key);
}

// Per-subscription state (sub/<name>/<field>):
//   disabled: reason, set on HTTP 410, kept across restarts until replay/resume;
//   paused:   "1" while an operator has paused it (admin pause/resume), across restarts;
//   rate:     the rate limiter's state (token_bucket::saved_state, unix us), written (buffered) at each
//             attempt so a restart does not start with a burst;
//   breaker:  unix ms the circuit opened, set while open and deleted when it closes.
enum class sub_field { disabled, paused, rate, breaker };
std::string sub_key(const std::string& sub, sub_field field);
bool parse_sub_key(const std::string& key, std::string& sub, sub_field& field);
inline std::string disabled_key(const std::string& sub) {
  return sub_key(sub, sub_field::disabled);
}
inline std::string paused_key(const std::string& sub) {
  return sub_key(sub, sub_field::paused);
}
inline std::string rate_key(const std::string& sub) {
  return sub_key(sub, sub_field::rate);
}
inline std::string breaker_key(const std::string& sub) {
  return sub_key(sub, sub_field::breaker);
}

// A telemetry file (path relative to the repo) already announced as a stage event.
std::string seen_key(const std::string& rel);
bool parse_seen_key(const std::string& key, std::string& rel);

// The smallest key after every key that starts with `prefix` (a scan's end, or where a seek skips to).
// REQUIRES: prefix ends in a '/' (every *_prefix_for does).
std::string past_prefix(const std::string& prefix);

// True for a name that can stand between two '/' of a key: what config::valid_subscription_name admits.
bool key_safe_subscription(const std::string& sub);

namespace format_1 {
// dlv/<id> and dead/<id> as format 1 wrote them; false for anything else (format-2 keys included).
bool parse_delivery_key(const std::string& key, std::string& id);
bool parse_dead_key(const std::string& key, std::string& id);
}  // namespace format_1

}  // namespace spec_notify::store
