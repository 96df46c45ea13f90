#pragma once
// Finding a pending delivery or a dead letter by its id alone, as the operator's `--replay ID` does. Keys
// carry the subscription first (dlv/<name>/<id>, keys.hpp), so an id is looked up once per subscription
// that has records of that kind; the subscriptions are found by seeking from one name's range to the next,
// never by reading the records in between. Cost: one seek and one point read per subscription, however
// long the backlog. Chosen over an id -> subscription index, which every writer would have to keep in step.
// Thread-safety: as the store.
#include <string>
#include <vector>

#include "actors/store/keys.hpp"
#include "actors/store/store.hpp"

namespace spec_notify::store {

// The subscriptions with at least one record in `keys` (pending_keys or dead_keys), in key order.
std::vector<std::string> subscriptions_in(const db& store, const sub_keyspace& keys);

// The record `id` of `keys`, whatever its subscription. False when there is none.
bool find_by_id(const db& store, const sub_keyspace& keys, const std::string& id, std::string& value);

}  // namespace spec_notify::store
