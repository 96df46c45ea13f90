#include "actors/store/find_by_id.hpp"

namespace spec_notify::store {

std::vector<std::string> subscriptions_in(const db& store, const sub_keyspace& keys) {
  const std::string all = keys.prefix();
  std::vector<std::string> out;
  std::string from = all, key;
  while (store.seek(from, key) && key.compare(0, all.size(), all) == 0) {
    std::string sub, id;
    if (keys.parse(key, sub, id)) {
      out.push_back(sub);
      from = past_prefix(keys.range(sub));
    } else {
      from = key + '\0';  // not shaped as a record of this kind (left over from format 1): step over it
    }
  }
  return out;
}

bool find_by_id(const db& store, const sub_keyspace& keys, const std::string& id, std::string& value) {
  for (const auto& sub : subscriptions_in(store, keys))
    if (store.get(keys.key(sub, id), value)) return true;
  return false;
}

}  // namespace spec_notify::store
