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
#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"

namespace spec_notify::supervisor {
namespace {

using spawner = std::function<caf::actor(caf::local_actor*)>;

// What a child is to the others: its place in the wiring. Known by role, never by parsing its name.
enum class role { evidence, dead_letter, deliverer, router, differ, watcher };

struct child {
  child(role r, std::string n, spawner s) : what(r), name(std::move(n)), spawn(std::move(s)) {}
  role what;
  std::string name;          // for logs: "router", "deliverer/<subscription>"
  std::string subscription;  // role::deliverer only
  spawner spawn;
  caf::actor handle;
};

struct supervisor_state {
  supervisor_state() {}
  std::vector<child> children;  // downstream first
  std::deque<std::chrono::steady_clock::time_point> restarts;
  bool stopping = false;
};

using self_ptr = caf::stateful_actor<supervisor_state>*;

wiring current_wiring(const supervisor_state& st) {
  wiring w;
  for (const auto& c : st.children) {
    switch (c.what) {
      case role::differ:
        w.differ = c.handle;
        break;
      case role::router:
        w.router = c.handle;
        break;
      case role::dead_letter:
        w.dead_letter = c.handle;
        break;
      case role::evidence:
        w.evidence = c.handle;
        break;
      case role::deliverer:
        w.deliverers[c.subscription] = c.handle;
        break;
      case role::watcher:
        break;  // nobody sends to the watcher
    }
  }
  return w;
}

// The evidence dir as a repo-relative path (telemetry lives there), or "" when it is outside the repo.
std::string evidence_relative_to_repo(const config::settings& cfg) {
  auto rel = cfg.evidence_dir.lexically_relative(cfg.repo);
  auto text = rel.generic_string();
  if (rel.empty() || text == "." || text.rfind("..", 0) == 0) return "";
  return text;
}

void broadcast_wiring(self_ptr self) {
  auto w = current_wiring(self->state);
  for (const auto& c : self->state.children) self->send(c.handle, wire_atom::value, w);
}

void stop_children(self_ptr self) {
  self->state.stopping = true;
  // Upstream first: the watcher stops producing before the stages that drain its output.
  for (auto it = self->state.children.rbegin(); it != self->state.children.rend(); ++it)
    self->send_exit(it->handle, caf::exit_reason::user_shutdown);
}

void on_down(self_ptr self, caf::down_msg& dm, int max_restarts) {
  auto& st = self->state;
  if (st.stopping) {
    // Quit only once every stage has stopped: serve then knows the pipeline is fully down (no stage still
    // draining) before it exits or starts the pipeline again with a reloaded config.
    auto& kids = st.children;
    kids.erase(std::remove_if(kids.begin(), kids.end(),
                              [&](const child& c) { return c.handle.address() == dm.source; }),
               kids.end());
    if (kids.empty()) self->quit(caf::exit_reason::user_shutdown);
    return;
  }
  for (auto& c : st.children) {
    if (c.handle.address() != dm.source) continue;
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
    c.handle = c.spawn(self);
    broadcast_wiring(self);
    return;
  }
}

caf::behavior supervisor_behavior(self_ptr self, config::settings cfg, store::db_ptr db, int max_restarts) {
  auto& kids = self->state.children;
  kids.emplace_back(child{role::evidence, "evidence", [cfg](caf::local_actor* p) {
                            return evidence::spawn_evidence_writer(p, cfg.evidence_dir,
                                                                   cfg.evidence_max_bytes_per_spec, cfg.repo);
                          }});
  kids.emplace_back(child{role::dead_letter, "dead_letter", [cfg, db](caf::local_actor* p) {
                            return dead_letter::spawn_dead_letter_keeper(p, db, cfg.dead_letter_retention);
                          }});
  for (const auto& sub : cfg.subscriptions) {
    if (!sub.enabled) {
      logging::warn("supervisor", "subscription " + sub.name + " is disabled" +
                                      (sub.disabled_reason.empty() ? "" : ": " + sub.disabled_reason));
      continue;
    }
    kids.emplace_back(child{role::deliverer, "deliverer/" + sub.name, [sub, db](caf::local_actor* p) {
                              return deliverer::spawn_deliverer(p, db, sub);
                            }});
    kids.back().subscription = sub.name;
  }
  kids.emplace_back(child{role::router, "router", [cfg, db](caf::local_actor* p) {
                            return router::spawn_router(p, db, cfg.subscriptions);
                          }});
  kids.emplace_back(child{role::differ, "differ", [cfg, db](caf::local_actor* p) {
                            return differ::spawn_differ(p, db, cfg.repo, differ::limits_from(cfg));
                          }});
  kids.emplace_back(child{role::watcher, "watcher", [cfg](caf::local_actor* p) {
                            watcher::watcher_options opt;
                            opt.repo = cfg.repo;
                            opt.evidence_rel = evidence_relative_to_repo(cfg);
                            opt.rescan = cfg.poll_interval;
                            return watcher::spawn_watcher(p, opt);
                          }});
  for (auto& c : kids) c.handle = c.spawn(self);
  broadcast_wiring(self);
  self->set_down_handler([=](caf::down_msg& dm) { on_down(self, dm, max_restarts); });
  self->set_exit_handler([=](caf::exit_msg&) {
    if (self->state.stopping) return;
    stop_children(self);
    if (self->state.children.empty()) self->quit(caf::exit_reason::user_shutdown);
  });
  return {
      // The live handles of every stage (the admin actor asks for them).
      [=](wire_atom) { return current_wiring(self->state); },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, config::settings cfg, store::db_ptr db,
                            int max_restarts) {
  return sys.spawn(supervisor_behavior, std::move(cfg), std::move(db), max_restarts);
}

}  // namespace spec_notify::supervisor
