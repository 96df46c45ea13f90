#pragma once
// Test records as the pipeline writes them: events under evt/ (as the differ does before sending) and
// deliveries under dlv/<subscription>/ (as the router does), plus counting helpers for a prefix.
#include <boost/test/unit_test.hpp>
#include <string>

#include "actors/store/records.hpp"
#include "actors/store/store.hpp"
#include "messages/delivery.hpp"
#include "messages/event.hpp"

namespace spec_notify::testing {

// A task transition `task` In Progress -> `to` in docs/SPEC-KIT-900/tasks.md.
inline event task_event(const std::string& task, const std::string& to = "Done") {
  event e;
  e.id = "evt_" + task;
  e.type = event_type::task_transitioned;
  e.occurred_at_ms = 1700000000000;
  e.spec_id = "SPEC-KIT-900";
  e.task_id = task;
  e.task_title = "task " + task;
  e.from = "In Progress";
  e.to = to;
  e.raw_status = to;
  e.source = "docs/SPEC-KIT-900/tasks.md";
  e.line = 3;
  return e;
}

// A pending first attempt for `sub`, due at once, ordered by nothing (sequence 0 never waits for others).
inline delivery pending_delivery(const std::string& sub, const std::string& task) {
  delivery d;
  d.id = "msg_" + sub + "_" + task;
  d.subscription = sub;
  d.event_id = "evt_" + task;
  d.event_type = event_type::task_transitioned;
  d.spec_id = "SPEC-KIT-900";
  d.task_id = task;
  d.body = R"({"task_id":")" + task + R"("})";
  d.created_at_ms = 1700000000000;
  return d;
}

inline void put_event(store::db& db, const event& e) {
  store::batch b;
  b.put(store::event_key(e.id), store::encode(e));
  BOOST_REQUIRE(db.write(b).ok());
}

inline void put_delivery(store::db& db, const delivery& d) {
  store::batch b;
  b.put(store::delivery_key(d), store::encode(d));
  BOOST_REQUIRE(db.write(b).ok());
}

inline size_t count_records(const store::db& db, const std::string& prefix) {
  size_t n = 0;
  db.scan(prefix, [&](const std::string&, const std::string&) {
    ++n;
    return true;
  });
  return n;
}

}  // namespace spec_notify::testing
