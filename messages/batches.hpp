#pragma once
// Batches move many records in one message: a single SPEC.md save can flip thousands of tasks, and one
// message (and one store batch) per save keeps the pipeline's cost per event small.
#include <caf/meta/type_name.hpp>
#include <vector>

#include "messages/delivery.hpp"
#include "messages/event.hpp"
#include "messages/outcome.hpp"

namespace spec_notify {

struct event_batch {
  std::vector<event> items;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_batch& x) {
  return f(caf::meta::type_name("event_batch"), x.items);
}

// router / admin replay -> deliverer: a reference to a delivery already durable under
// dlv/<subscription>/<id>, with what the deliverer's schedule keeps in memory. The body and history stay in
// the store until an attempt reads them, so a 5,000-task burst does not copy 5,000 bodies through mailboxes.
struct delivery_ref {
  std::string id;
  std::string ordering_key;  // see delivery::ordering_key
  int64_t sequence = 0;
  int64_t next_at_ms = 0;  // earliest next attempt (0 = now)
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_ref& x) {
  return f(caf::meta::type_name("delivery_ref"), x.id, x.ordering_key, x.sequence, x.next_at_ms);
}
inline delivery_ref ref_to(const delivery& d) {
  return {d.id, d.ordering_key, d.sequence, d.next_at_ms};
}

// The references are all of one subscription, named here: the deliverer they are sent to (which ignores,
// with an error line, a batch for another one). So each reference is {id, subscription, next attempt}, plus
// the ordering key and sequence the schedule keeps in memory.
struct delivery_batch {
  std::string subscription;
  std::vector<delivery_ref> items;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_batch& x) {
  return f(caf::meta::type_name("delivery_batch"), x.subscription, x.items);
}

// http worker -> deliverer: the raw result of one HTTP attempt (classification happens in the deliverer).
struct attempt_result {
  std::string delivery_id;
  attempt_record attempt;
  std::string retry_after;  // Retry-After header value, "" when absent
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_result& x) {
  return f(caf::meta::type_name("attempt_result"), x.delivery_id, x.attempt, x.retry_after);
}

}  // namespace spec_notify
