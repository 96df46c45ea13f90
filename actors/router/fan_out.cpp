#include "actors/router/fan_out.hpp"

#include "actors/deliverer/signature.hpp"
#include "actors/router/payload.hpp"
#include "actors/store/records.hpp"

namespace spec_notify::router {

fan_out::fan_out(store::db_ptr db, const std::vector<config::subscription_settings>& subs) : db_(std::move(db)) {
  for (const auto& s : subs)
    if (s.enabled) targets_.push_back({s.name, filter{s.events, s.statuses, s.specs, s.tasks}});
}

bool fan_out::route(const std::vector<event>& events, routed& out, std::string& error) {
  store::batch b;
  routed result;
  for (const auto& e : events) {
    for (const auto& t : targets_) {
      if (!matches(t.f, e)) continue;
      delivery d;
      d.id = deliverer::random_id("msg_");
      d.subscription = t.name;
      d.event_id = e.id;
      d.event_type = e.type;
      d.spec_id = e.spec_id;
      d.task_id = e.task_id;
      d.body = render_payload(e, d.id);
      d.created_at_ms = e.occurred_at_ms;
      d.next_at_ms = 0;  // due now
      b.put(store::delivery_key(d.id), store::encode(d));
      result[t.name].push_back(std::move(d));
    }
    b.del(store::event_key(e.id));
  }
  if (b.empty()) return true;
  if (auto err = db_->write(b); !err.empty()) {
    error = err;
    return false;
  }
  for (auto& [name, list] : result) {
    auto& dst = out[name];
    for (auto& d : list) dst.push_back(std::move(d));
  }
  return true;
}

std::vector<event> fan_out::leftovers() const {
  std::vector<event> events;
  db_->scan("evt/", [&](const std::string&, const std::string& value) {
    event e;
    if (store::decode(value, e)) events.push_back(std::move(e));
    return true;
  });
  return events;
}

}  // namespace spec_notify::router
