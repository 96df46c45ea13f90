#pragma once
// router -> deliverer: one event for one subscription. Durable (dlv/<id>) before it is sent anywhere; the
// body is fixed at fan-out so every attempt and replay sends identical bytes under the same webhook-id.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace spec_notify {

struct attempt_record {
  int32_t attempt = 0;
  int64_t at_ms = 0;        // unix ms when the attempt started
  int32_t status_code = 0;  // HTTP status, 0 when no response
  std::string error;        // "" on success; never contains secrets
  int64_t latency_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_record& x) {
  return f(caf::meta::type_name("attempt_record"), x.attempt, x.at_ms, x.status_code, x.error, x.latency_ms);
}

struct delivery {
  std::string id;            // msg_<random>: the webhook-id
  std::string subscription;  // subscription name
  std::string event_id, event_type, spec_id, task_id;
  // Ordering (config ordering_mode): the key this delivery is ordered under (see router/ordering.hpp) and its
  // place among the subscription's deliveries of that key: 1, 2, ... gap-free, fixed at fan-out and carried
  // in the body. 0 = a record written before ordering existed (never waits for others).
  std::string ordering_key;
  int64_t sequence = 0;
  std::string body;      // payload v1 JSON
  int32_t attempts = 0;  // attempts made so far
  int64_t created_at_ms = 0;
  int64_t next_at_ms = 0;  // earliest time of the next attempt
  bool replay = false;     // re-enqueued from the dead letters
  std::vector<attempt_record> history;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery& x) {
  return f(caf::meta::type_name("delivery"), x.id, x.subscription, x.event_id, x.event_type, x.spec_id,
           x.task_id, x.ordering_key, x.sequence, x.body, x.attempts, x.created_at_ms, x.next_at_ms, x.replay,
           x.history);
}

}  // namespace spec_notify
