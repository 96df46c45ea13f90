#pragma once
// Ordering keys (config key "ordering", issue 16): the router gives each delivery the key it is ordered under
// and the next number of that key's sequence; the deliverer's schedule attempts the deliveries of one key one
// after another, lowest sequence first. Pure function: thread-safe.
//   task events        -> "<spec id>/<task id>" ("<task id>" without a SPEC)
//   stage and pipeline -> "<spec id>" ("-" without a SPEC)
// ordering = "spec" keys every event by "<spec id>" ("-" without one). ordering = "none" keeps the task keys
// (the payload still carries key and sequence, so a receiver can reorder by itself; only the waiting is off),
// which also means switching between "none" and "task" never restarts a key's numbering.
#include <string>

#include "config/settings.hpp"
#include "messages/event.hpp"

namespace spec_notify::router {

std::string ordering_key(const event& e, config::ordering_mode mode);

}  // namespace spec_notify::router
