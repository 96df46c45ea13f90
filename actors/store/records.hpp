#pragma once
// JSON encodings of the records the store keeps (events, deliveries, dead letters). JSON keeps the state
// directory inspectable and lets later versions add fields without a migration.
#include <cstdint>
#include <string>

#include "messages/delivery.hpp"
#include "messages/event.hpp"

namespace spec_notify::store {

std::string encode(const event& e);
std::string encode(const delivery& d);
// Return false (leaving `out` unspecified) when `text` is not a record of that kind.
bool decode(const std::string& text, event& out);
bool decode(const std::string& text, delivery& out);
// Reads only id, subscription and next_at_ms (and, when asked, ordering_key and sequence: "" and 0 when
// absent) of an encoded delivery (what the deliverer's schedule keeps in memory), skipping the body without
// decoding it. False when the text is not shaped as expected (callers then fall back to decode()).
bool peek_schedule_fields(const std::string& text, std::string& id, std::string& subscription,
                          int64_t& next_at_ms, std::string* ordering_key = nullptr,
                          int64_t* sequence = nullptr);

// Key builders for the schema in store.hpp.
std::string task_key(const std::string& file, const std::string& task_id);
std::string task_prefix(const std::string& file);
// Each prefix is spelled here only: scans use the *_prefix constants, single records the *_key builders.
inline constexpr const char* event_prefix = "evt/";
inline constexpr const char* delivery_prefix = "dlv/";
inline constexpr const char* dead_prefix = "dead/";
inline std::string event_key(const std::string& id) {
  return event_prefix + id;
}
inline std::string delivery_key(const std::string& id) {
  return delivery_prefix + id;
}
inline std::string dead_key(const std::string& id) {
  return dead_prefix + id;
}
// A telemetry file (path relative to the repo) already announced as a stage event.
inline constexpr const char* seen_prefix = "seen/";
inline std::string seen_key(const std::string& rel) {
  return seen_prefix + rel;
}
inline std::string disabled_key(const std::string& sub) {
  return "sub/" + sub + "/disabled";
}
// Set while an operator has paused the subscription (admin pause); survives stage restarts and daemon
// restarts.
inline std::string paused_key(const std::string& sub) {
  return "sub/" + sub + "/paused";
}
// The rate limiter's state (token_bucket::saved_state, unix us) of a subscription with rate_limit; written
// (buffered) by its schedule at each attempt so a restart does not start with a burst.
inline std::string rate_key(const std::string& sub) {
  return "sub/" + sub + "/rate";
}
// The last sequence number given to a delivery of `sub` under ordering key `key` (decimal text). Written by
// the router in the same batch as the deliveries it numbers, so numbers are gap-free across crashes.
inline std::string sequence_prefix(const std::string& sub) {
  return "seq/" + sub + "/";
}
inline std::string sequence_key(const std::string& sub, const std::string& key) {
  return sequence_prefix(sub) + key;
}
// Set (unix ms it opened) while the subscription's circuit breaker is open; deleted when it closes.
inline std::string breaker_key(const std::string& sub) {
  return "sub/" + sub + "/breaker";
}

}  // namespace spec_notify::store
