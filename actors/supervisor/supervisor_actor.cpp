#include "actors/supervisor/supervisor_actor.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <deque>
#include <functional>

#include "actors/dead_letter/dead_letter_actor.hpp"
#include "actors/deliverer/deliverer_actor.hpp"
#include "actors/differ/differ_actor.hpp"
#include "actors/evidence/evidence_writer_actor.hpp"
#include "actors/log.hpp"
#include "actors/router/router_actor.hpp"
#include "actors/watcher/watcher_actor.hpp"

namespace spec_notify::supervisor {
namespace {

struct supervisor_state;

// Spawns a child, records its typed handle where the other stages' wiring reads it, returns its address.
using spawner = std::function<caf::actor_addr(caf::local_actor*, supervisor_state&)>;

// A child is known to the others by the typed slot its spawner fills (never by parsing its name).
struct child {
  child(std::string n, spawner s) : name(std::move(n)), spawn(std::move(s)) {}
  std::string name;  // for logs: "router", "deliverer/<subscription>"
  spawner spawn;
  caf::actor_addr address;  // of the running instance
};

struct supervisor_state {
  supervisor_state() {}
  std::vector<child> children;  // downstream first
  pipeline_handles live;        // the running instances (the watcher apart: nobody sends to it)
  watcher_actor watcher;
  std::deque<std::chrono::steady_clock::time_point> restarts;
  bool stopping = false;
};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// The evidence dir as a repo-relative path (telemetry lives there), or "" when it is outside the repo.
std::string evidence_relative_to_repo(const config::settings& cfg) {
  auto rel = cfg.evidence_dir.lexically_relative(cfg.repo);
  auto text = rel.generic_string();
  if (rel.empty() || text == "." || text.rfind("..", 0) == 0) return "";
  return text;
}

// Each stage gets the handles of the stages it sends to, and nothing else.
void broadcast_wiring(self_ptr self) {
  const auto& live = self->state.live;
  for (const auto& [name, d] : live.deliverers)
    self->send(d, wire_atom::value, live.evidence, live.dead_letter);
  self->send(live.router, wire_atom::value, live.deliverers);
  self->send(live.differ, wire_atom::value, live.router);
  self->send(self->state.watcher, wire_atom::value, live.differ);
}

void stop_children(self_ptr self) {
  self->state.stopping = true;
  // Upstream first: the watcher stops producing before the stages that drain its output.
  for (auto it = self->state.children.rbegin(); it != self->state.children.rend(); ++it)
    self->send_exit(it->address, caf::exit_reason::user_shutdown);
}

void on_down(self_ptr self, caf::down_msg& dm, int max_restarts) {
  auto& st = self->state;
  if (st.stopping) {
    // Quit only once every stage has stopped: serve then knows the pipeline is fully down (no stage still
    // draining) before it exits or starts the pipeline again with a reloaded config.
    auto& kids = st.children;
    kids.erase(
        std::remove_if(kids.begin(), kids.end(), [&](const child& c) { return c.address == dm.source; }),
        kids.end());
    if (kids.empty()) self->quit(caf::exit_reason::user_shutdown);
    return;
  }
  for (auto& c : st.children) {
    if (c.address != dm.source) continue;
    logging::error("supervisor",
                   "stage " + c.name + " stopped: " + self->system().render(dm.reason) + "; restarting");
    auto now = std::chrono::steady_clock::now();
    st.restarts.push_back(now);
    while (!st.restarts.empty() && now - st.restarts.front() > std::chrono::minutes(1))
      st.restarts.pop_front();
    if (static_cast<int>(st.restarts.size()) > max_restarts) {
      logging::error("supervisor", "more than " + std::to_string(max_restarts) +
                                       " restarts within a minute; giving up (state is safe in the store)");
      stop_children(self);
      self->quit(caf::sec::runtime_error);  // children stop on their own; serve exits 1
      return;
    }
    c.address = c.spawn(self, st);
    broadcast_wiring(self);
    return;
  }
}

supervisor_actor::behavior_type supervisor_behavior(self_ptr self, config::settings cfg, stage_factory make,
                                                    int max_restarts) {
  auto& kids = self->state.children;
  kids.emplace_back(child{"evidence", [make](caf::local_actor* p, supervisor_state& st) {
                            st.live.evidence = make.evidence(p);
                            return st.live.evidence.address();
                          }});
  kids.emplace_back(child{"dead_letter", [make](caf::local_actor* p, supervisor_state& st) {
                            st.live.dead_letter = make.dead_letter(p);
                            return st.live.dead_letter.address();
                          }});
  for (const auto& sub : cfg.subscriptions) {
    if (!sub.enabled) {
      logging::warn("supervisor", "subscription " + sub.name + " is disabled" +
                                      (sub.disabled_reason.empty() ? "" : ": " + sub.disabled_reason));
      continue;
    }
    kids.emplace_back(child{"deliverer/" + sub.name, [make, sub](caf::local_actor* p, supervisor_state& st) {
                              auto& slot = st.live.deliverers[sub.name];
                              slot = make.deliverer(p, sub);
                              return slot.address();
                            }});
  }
  kids.emplace_back(child{"router", [make](caf::local_actor* p, supervisor_state& st) {
                            st.live.router = make.router(p);
                            return st.live.router.address();
                          }});
  kids.emplace_back(child{"differ", [make](caf::local_actor* p, supervisor_state& st) {
                            st.live.differ = make.differ(p);
                            return st.live.differ.address();
                          }});
  kids.emplace_back(child{"watcher", [make](caf::local_actor* p, supervisor_state& st) {
                            st.watcher = make.watcher(p);
                            return st.watcher.address();
                          }});
  for (auto& c : kids) c.address = c.spawn(self, self->state);
  broadcast_wiring(self);
  self->set_down_handler([=](caf::down_msg& dm) { on_down(self, dm, max_restarts); });
  self->set_exit_handler([=](caf::exit_msg&) {
    if (self->state.stopping) return;
    stop_children(self);
    if (self->state.children.empty()) self->quit(caf::exit_reason::user_shutdown);
  });
  return {
      // The live handles of every stage (the admin actor asks for them).
      [=](wire_atom) { return self->state.live; },
  };
}

}  // namespace

stage_factory real_stages(const config::settings& cfg, store::db_ptr db, spool_actor spool,
                          caf::actor_system& sys) {
  // Every writer of the spool's keys writes through the one spool actor (owned by serve, outliving us).
  spool::port port = spool::through(sys, spool);
  port.fresh = std::make_shared<spool::fresh_records>();  // one per pipeline: router puts, deliverers take
  stage_factory f;
  f.evidence = [cfg](caf::local_actor* p) {
    return evidence::spawn_evidence_writer(p, cfg.evidence_dir, cfg.evidence_max_bytes_per_spec, cfg.repo);
  };
  f.dead_letter = [cfg, db, port](caf::local_actor* p) {
    return dead_letter::spawn_dead_letter_keeper(p, db, port, cfg.dead_letter_retention);
  };
  f.deliverer = [db, port](caf::local_actor* p, const config::subscription_settings& sub) {
    return deliverer::spawn_deliverer(p, db, port, sub);
  };
  f.router = [cfg, db, spool, port](caf::local_actor* p) {
    return router::spawn_router(p, db, spool, cfg.subscriptions, port.fresh);
  };
  f.differ = [cfg, db](caf::local_actor* p) {
    return differ::spawn_differ(p, db, cfg.repo, differ::limits_from(cfg));
  };
  f.watcher = [cfg](caf::local_actor* p) {
    watcher::watcher_options opt;
    opt.repo = cfg.repo;
    opt.evidence_rel = evidence_relative_to_repo(cfg);
    opt.rescan = cfg.poll_interval;
    return watcher::spawn_watcher(p, opt);
  };
  return f;
}

supervisor_actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, stage_factory stages,
                                  int max_restarts) {
  return sys.spawn(supervisor_behavior, std::move(cfg), std::move(stages), max_restarts);
}

supervisor_actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, store::db_ptr db,
                                  spool_actor spool, int max_restarts) {
  auto stages = real_stages(cfg, std::move(db), std::move(spool), sys);
  return spawn_supervisor(sys, std::move(cfg), std::move(stages), max_restarts);
}

}  // namespace spec_notify::supervisor
