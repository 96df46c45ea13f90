#pragma once
// JSON encodings of the records the store keeps (events, deliveries, dead letters). JSON keeps the state
// directory inspectable and lets later versions add fields without a migration. Each record's members are
// listed once, in a table in records.cpp that encode, decode and peek_schedule_fields all read: adding a
// field is one line there. A member absent from a stored record decodes as its default ("", 0, false).
#include <cstdint>
#include <string>

#include "actors/store/keys.hpp"  // every key builder and parser (most users of records need both)
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

}  // namespace spec_notify::store
