#pragma once
// Values the admin path asks the pipeline for. deliverer -> admin: (status_atom) -> subscription_status.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>

namespace spec_notify {

struct subscription_status {
  std::string name;
  int32_t pending = 0;        // deliveries in the spool for this subscription (incl. in flight)
  int32_t in_flight = 0;      // requests on the wire now (never above max_in_flight)
  int32_t max_in_flight = 0;
  bool paused = false;        // paused by an operator (admin pause)
  std::string disabled;       // reason when disabled by a 410; "" otherwise
  int64_t delivered = 0, failed_attempts = 0, dead_lettered = 0;  // since the daemon started
  int64_t next_attempt_ms = 0;  // earliest scheduled attempt, 0 when none
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_status& x) {
  return f(caf::meta::type_name("subscription_status"), x.name, x.pending, x.in_flight, x.max_in_flight, x.paused,
           x.disabled, x.delivered, x.failed_attempts, x.dead_lettered, x.next_attempt_ms);
}

}  // namespace spec_notify
