#include "messages/outcome.hpp"

namespace spec_notify {

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
