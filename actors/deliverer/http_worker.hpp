#pragma once
// One detached actor per concurrent request slot of a subscription. Request: (send_atom, delivery, attempt).
// Reply: attempt_result. Keeps its own keep-alive connection (http_sender) between requests.
#include <caf/fwd.hpp>
#include <memory>

#include "actors/deliverer/http_sender.hpp"
#include "config/settings.hpp"

namespace spec_notify::deliverer {

// `sender` is shared with the deliverer only so it can cancel() a request in flight at shutdown.
caf::actor spawn_http_worker(caf::local_actor* parent, config::subscription_settings sub,
                             std::shared_ptr<http_sender> sender);

}  // namespace spec_notify::deliverer
