#pragma once
// One detached actor per concurrent request slot of a subscription. Request: (send_atom, delivery, attempt).
// Reply: attempt_result. Keeps its own keep-alive connection (http_sender) between requests.
#include <caf/fwd.hpp>

#include "config/settings.hpp"

namespace spec_notify::deliverer {

caf::actor spawn_http_worker(caf::local_actor* parent, config::subscription_settings sub);

}  // namespace spec_notify::deliverer
