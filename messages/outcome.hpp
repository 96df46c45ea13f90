#pragma once
// deliverer -> evidence writer / dead-letter keeper: what one attempt did.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>

#include "messages/delivery.hpp"

namespace spec_notify {

enum class outcome_kind : int32_t {
  delivered = 0,
  retrying = 1,
  dead_lettered = 2,
  disabled = 3,
  dry_run = 4,
  requeued = 5  // a dead letter replayed into the spool (admin replay): no attempt was made
};

const char* to_string(outcome_kind k);

struct delivery_outcome {
  std::string delivery_id, subscription, event_type, spec_id, task_id;
  // Never reads as a success by default: a delivery is only "delivered" when the schedule says so.
  outcome_kind kind = outcome_kind::retrying;
  attempt_record attempt;  // the attempt this outcome is about
  int64_t next_at_ms = 0;  // when retrying
  bool replay = false;
};

// The outcome `a` had for `d` (the one place a delivery's identity is copied into an outcome).
delivery_outcome outcome_of(const delivery& d, outcome_kind k, const attempt_record& a);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_outcome& x) {
  return f(caf::meta::type_name("delivery_outcome"), x.delivery_id, x.subscription, x.event_type, x.spec_id,
           x.task_id, x.kind, x.attempt, x.next_at_ms, x.replay);
}

}  // namespace spec_notify
