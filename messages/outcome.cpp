#include "messages/outcome.hpp"

namespace spec_notify {

delivery_outcome outcome_of(const delivery& d, outcome_kind k, const attempt_record& a) {
  delivery_outcome o;
  o.delivery_id = d.id;
  o.subscription = d.subscription;
  o.event_type = d.event_type;
  o.spec_id = d.spec_id;
  o.task_id = d.task_id;
  o.kind = k;
  o.attempt = a;
  o.next_at_ms = d.next_at_ms;
  o.replay = d.replay;
  return o;
}

const char* to_string(outcome_kind k) {
  switch (k) {
    case outcome_kind::delivered:
      return "delivered";
    case outcome_kind::retrying:
      return "retrying";
    case outcome_kind::dead_lettered:
      return "dead_lettered";
    case outcome_kind::disabled:
      return "disabled";
    case outcome_kind::dry_run:
      return "dry_run";
    case outcome_kind::requeued:
      return "requeued";
  }
  return "unknown";
}

}  // namespace spec_notify
