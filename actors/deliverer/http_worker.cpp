#include "actors/deliverer/http_worker.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <memory>

#include "actors/deliverer/http_sender.hpp"
#include "actors/deliverer/request.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::deliverer {
namespace {

struct worker_state {
  worker_state() {}
  std::shared_ptr<http_sender> sender;
};

attempt_result attempt(worker_state& st, const config::subscription_settings& sub, const delivery& d,
                       int32_t n) {
  using namespace std::chrono;
  auto started = system_clock::now();
  auto ts = duration_cast<seconds>(started.time_since_epoch()).count();
  auto response = st.sender->post(build_request(sub, d, n, ts));
  attempt_result r;
  r.delivery_id = d.id;
  r.attempt.attempt = n;
  r.attempt.at_ms = duration_cast<milliseconds>(started.time_since_epoch()).count();
  r.attempt.status_code = response.status_code;
  r.attempt.latency_ms = response.latency_ms;
  r.attempt.error = response.error;
  if (response.error.empty() && (response.status_code < 200 || response.status_code > 299))
    r.attempt.error = "HTTP " + std::to_string(response.status_code);
  r.retry_after = response.retry_after;
  return r;
}

http_worker_actor::behavior_type worker_behavior(http_worker_actor::stateful_pointer<worker_state> self,
                                                 config::subscription_settings sub,
                                                 std::shared_ptr<http_sender> sender) {
  self->state.sender = std::move(sender);
  return {
      [=](send_atom, const delivery& d, int32_t n) { return attempt(self->state, sub, d, n); },
  };
}

}  // namespace

http_worker_actor spawn_http_worker(caf::local_actor* parent, config::subscription_settings sub,
                                    std::shared_ptr<http_sender> sender) {
  return parent->spawn<caf::detached + caf::linked>(worker_behavior, std::move(sub), std::move(sender));
}

}  // namespace spec_notify::deliverer
