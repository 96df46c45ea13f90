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

struct delivery_batch {
  std::vector<delivery> items;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_batch& x) {
  return f(caf::meta::type_name("delivery_batch"), x.items);
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
