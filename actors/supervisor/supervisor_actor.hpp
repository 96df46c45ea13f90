#pragma once
// supervisor: spawns the pipeline downstream-first (evidence, dead letters, one deliverer per subscription,
// router, differ, watcher) so every stage has live handles when the first file is read, restarts a crashed
// child (logging why) and re-sends the wiring so upstream stages talk to the new instance. All stage state is
// durable in the store, so a restarted stage resumes where its predecessor stopped. More than
// `max_restarts` within a minute means something is persistently wrong: it gives up and quits with an error.
// On exit_msg (user_shutdown from serve) it stops the children, watcher first, and quits.
#include <caf/fwd.hpp>

#include "actors/store/store.hpp"
#include "config/settings.hpp"

namespace spec_notify::supervisor {

caf::actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, store::db_ptr db,
                            int max_restarts = 10);

}  // namespace spec_notify::supervisor
