#include "actors/spool/changes.hpp"

#include "actors/store/records.hpp"

namespace spec_notify::spool {

void changes::add(const delivery& d) {
  batch_.put(store::delivery_key(d), store::encode(d));
}

void changes::consume_event(const std::string& event_id) {
  batch_.del(store::event_key(event_id));
}

void changes::set_sequence(const std::string& sequence_key, int64_t last) {
  batch_.put(sequence_key, std::to_string(last));
}

void changes::update(const delivery& d) {
  batch_.put(store::delivery_key(d), store::encode(d));
}

void changes::remove(const std::string& sub, const std::string& id) {
  batch_.del(store::delivery_key(sub, id));
}

void changes::bury(const delivery& d) {
  batch_.del(store::delivery_key(d));
  batch_.put(store::dead_key(d), store::encode(d));
}

void changes::unbury(const delivery& d) {
  batch_.del(store::dead_key(d));
  batch_.put(store::delivery_key(d), store::encode(d));
}

void changes::drop_dead(const std::string& sub, const std::string& id) {
  batch_.del(store::dead_key(sub, id));
}

void changes::set(const std::string& sub, store::sub_field field, const std::string& value) {
  batch_.put(store::sub_key(sub, field), value);
}

void changes::clear(const std::string& sub, store::sub_field field) {
  batch_.del(store::sub_key(sub, field));
}

void changes::append(changes&& other) {
  if (batch_.empty())
    durability_ = other.durability_;
  else if (other.durability_ == store::durability::synced)
    durability_ = store::durability::synced;
  batch_.append(std::move(other.batch_));
}

status apply(store::db& db, const changes& c) {
  if (c.empty()) return status::success();
  return db.write(c.batch(), c.durability());
}

}  // namespace spec_notify::spool
