#pragma once
// One detached actor per concurrent request slot of a subscription. Request: (send_atom, delivery, attempt).
// Reply: attempt_result. Keeps its own keep-alive connection (http_sender) between requests.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <memory>

#include "actors/deliverer/http_sender.hpp"
#include "config/settings.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::deliverer {

using http_worker_actor =
    caf::typed_actor<caf::replies_to<send_atom, delivery, int32_t>::with<attempt_result>>;

// `sender` is shared with the deliverer only so it can cancel() a request in flight at shutdown.
http_worker_actor spawn_http_worker(caf::local_actor* parent, config::subscription_settings sub,
                                    std::shared_ptr<http_sender> sender);

}  // namespace spec_notify::deliverer
