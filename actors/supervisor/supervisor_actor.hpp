#pragma once
// supervisor: spawns the pipeline downstream-first (evidence, dead letters, one deliverer per subscription,
// router, differ, watcher) so every stage has live handles when the first file is read, restarts a crashed
// child (logging why) and re-sends each upstream stage the handles it talks to, so it reaches the new
// instance. All stage state is durable in the store, so a restarted stage resumes where its predecessor
// stopped. More than `max_restarts` within a minute means something is persistently wrong: it gives up and
// quits with an error. On exit_msg (user_shutdown from serve) it stops the children, watcher first, and
// quits once all have stopped.
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <functional>

#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "actors/watcher/watcher_actor.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify {

// The live handles of the stages others ask about (admin: deliverers; metrics: differ and deliverers).
struct pipeline_handles {
  differ_actor differ;
  router_actor router;
  dead_letter_actor dead_letter;
  evidence_actor evidence;
  deliverer_map deliverers;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_handles& x) {
  return f(caf::meta::type_name("pipeline_handles"), x.differ, x.router, x.dead_letter, x.evidence,
           x.deliverers);
}

using supervisor_actor = caf::typed_actor<caf::replies_to<wire_atom>::with<pipeline_handles>>;

}  // namespace spec_notify

namespace spec_notify::supervisor {

// How the supervisor makes each stage (each function spawns one instance, monitored by `parent`): the real
// spawners (real_stages), or stand-ins with the same typed interfaces for tests of the supervisor's own
// logic -- restarts, re-wiring, giving up, stop order -- on CAF's deterministic scheduler.
struct stage_factory {
  std::function<evidence_actor(caf::local_actor* parent)> evidence;
  std::function<dead_letter_actor(caf::local_actor* parent)> dead_letter;
  std::function<deliverer_actor(caf::local_actor* parent, const config::subscription_settings& sub)>
      deliverer;
  std::function<router_actor(caf::local_actor* parent)> router;
  std::function<differ_actor(caf::local_actor* parent)> differ;
  std::function<watcher_actor(caf::local_actor* parent)> watcher;
};

// The pipeline's stages over `db`, writing through `spool` (spool_actor.hpp), which must outlive the
// supervisor: serve stops it after the pipeline is down.
stage_factory real_stages(const config::settings& cfg, store::db_ptr db, spool_actor spool,
                          caf::actor_system& sys);

// One deliverer per enabled subscription of `cfg`; the others from `stages`.
supervisor_actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, stage_factory stages,
                                  int max_restarts = 10);
// The same with real_stages(cfg, db, spool, sys).
supervisor_actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, store::db_ptr db,
                                  spool_actor spool, int max_restarts = 10);

}  // namespace spec_notify::supervisor
