#include "actors/admin/admin_actor.hpp"

#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <map>
#include <memory>
#include <set>

#include "actors/admin/operations.hpp"
#include "actors/admin/requests.hpp"
#include "actors/admin/tls_credentials.hpp"
#include "actors/admin/token.hpp"
#include "actors/log.hpp"
#include "actors/util/clock.hpp"
#include "config/reload.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/batches.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::admin {
namespace {

constexpr auto ask_timeout = std::chrono::seconds(5);

// Bounds on what a request may carry; an operator never comes near them. They keep a request from making the
// daemon do unbounded work (the transport itself only admits holders of the client certificate).
constexpr size_t max_field_bytes = 4096;
constexpr size_t max_replay_ids = 100000;

// "" when `req` is within bounds, else why not.
std::string oversized(const admin_request& req) {
  if (req.token.size() > max_field_bytes || req.command.size() > max_field_bytes ||
      req.subscription.size() > max_field_bytes)
    return "a field is longer than " + std::to_string(max_field_bytes) + " bytes";
  if (req.ids.size() > max_replay_ids)
    return "more than " + std::to_string(max_replay_ids) + " ids in one request (replay them in parts)";
  for (const auto& id : req.ids)
    if (id.size() > max_field_bytes)
      return "an id is longer than " + std::to_string(max_field_bytes) + " bytes";
  return "";
}

// The actor behind the gate: what the gate forwards to it.
using worker_actor = caf::typed_actor<caf::replies_to<admin_request>::with<admin_reply>,
                                      caf::reacts_to<admin_rewire>, caf::reacts_to<admin_stop>>;

struct admin_state {
  admin_state() {}
  config::settings cfg;
  store::db_ptr db;
  spool::port spool;  // replays are written by the spool actor, the store's one writer of dlv/ and dead/
  supervisor_actor supervisor;
  lifecycle_actor lifecycle;  // serve: applies a reload_request
  std::string token, token_file;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

using self_ptr = worker_actor::stateful_pointer<admin_state>;
using promise = caf::typed_response_promise<admin_reply>;

admin_reply failure(std::string message) {
  admin_reply r;
  r.ok = false;
  r.message = std::move(message);
  return r;
}

// Asks the supervisor for the live stage handles, then runs `then` (or answers `rp` with an error).
template <class F>
void with_wiring(self_ptr self, promise rp, F then) {
  self->request(self->state.supervisor, ask_timeout, wire_atom::value)
      .then([=](const pipeline_handles& w) mutable { then(w, rp); },
            [=](caf::error& err) mutable {
              rp.deliver(failure("the pipeline did not answer: " + self->system().render(err)));
            });
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

std::string daemon_summary(const admin_state& st) {
  auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - st.started);
  return "daemon pid " + std::to_string(::getpid()) + ", up " + std::to_string(up.count()) + "s, config " +
         absolute_path(st.cfg.config_path) + ", repo " + st.cfg.repo.string();
}

// One row per configured subscription (in config order; only `only` when not ""); `asks` gets the row index
// and deliverer of every subscription that has a running deliverer, whose live counters still have to be
// asked for. Dead letters are counted only when `count_dead` (a scan of dead/).
std::vector<status_row> status_rows(const admin_state& st, const pipeline_handles& w, const std::string& only,
                                    bool count_dead, std::vector<std::pair<size_t, deliverer_actor>>& asks) {
  std::map<std::string, int32_t> dead;
  if (count_dead)
    for (const auto& [name, n] : count_dead_letters(*st.db)) dead[name] = n;
  std::vector<status_row> rows;
  for (const auto& sub : st.cfg.subscriptions) {
    if (!only.empty() && sub.name != only) continue;
    status_row row;
    row.live.name = sub.name;
    row.live.max_in_flight = sub.max_in_flight;
    row.dead_letters = dead[sub.name];
    if (auto it = w.deliverers.find(sub.name); it != w.deliverers.end())
      asks.emplace_back(rows.size(), it->second);
    else
      row.note = sub.disabled_reason.empty() ? "disabled in the config" : "disabled: " + sub.disabled_reason;
    rows.push_back(std::move(row));
  }
  return rows;
}

// Fills reply.statuses (status_rows) with the live state of each running deliverer, then answers `rp` with
// `reply`. A deliverer that does not answer keeps running == false and says why in its note.
void deliver_with_statuses(self_ptr self, const pipeline_handles& w, promise rp, admin_reply reply,
                           const std::string& only, bool count_dead) {
  struct gather {
    admin_reply reply;
    size_t left = 0;
    promise rp;
  };
  auto g = std::make_shared<gather>();
  g->rp = rp;
  g->reply = std::move(reply);
  std::vector<std::pair<size_t, deliverer_actor>> asks;
  g->reply.statuses = status_rows(self->state, w, only, count_dead, asks);
  g->left = asks.size();
  if (asks.empty()) {
    g->rp.deliver(g->reply);
    return;
  }
  auto done = [g] {
    if (--g->left == 0) g->rp.deliver(g->reply);
  };
  for (const auto& [index, deliverer] : asks) {
    auto i = index;
    self->request(deliverer, ask_timeout, status_atom::value)
        .then(
            [g, i, done](const subscription_status& s) {
              g->reply.statuses[i].live = s;
              g->reply.statuses[i].running = true;
              done();
            },
            [g, i, done, self](caf::error& err) {
              g->reply.statuses[i].note = "deliverer not responding: " + self->system().render(err);
              done();
            });
  }
}

void answer_status(self_ptr self, promise rp) {
  with_wiring(self, rp, [self](const pipeline_handles& w, promise rp) {
    admin_reply reply;
    reply.message = daemon_summary(self->state);
    deliver_with_statuses(self, w, rp, std::move(reply), "", true);
  });
}

// The rows come from the store; the circuit state from the running deliverers (reply.statuses), since the
// store's sub/<name>/breaker says nothing of a circuit that opened and closed in memory since. When the
// pipeline does not answer, the rows still go out, with reply.message saying the circuits are unknown.
void answer_list(self_ptr self, const admin_request& req, promise rp) {
  auto reply = handle_list(*self->state.db, req);
  auto only = req.subscription;
  self->request(self->state.supervisor, ask_timeout, wire_atom::value)
      .then(
          [=](const pipeline_handles& w) mutable { deliver_with_statuses(self, w, rp, reply, only, false); },
          [=](caf::error& err) mutable {
            reply.message =
                "circuit breaker state unknown: the pipeline did not answer: " + self->system().render(err);
            rp.deliver(reply);
          });
}

void answer_replay(self_ptr self, const admin_request& req, promise rp) {
  std::vector<delivery> replayed;
  auto reply = handle_replay(*self->state.db, req, replayed, self->state.spool.write);
  if (replayed.empty()) {
    rp.deliver(reply);
    return;
  }
  logging::info("admin",
                "replayed " + std::to_string(replayed.size()) + " dead letter(s) (same webhook-ids)");
  auto outcomes = replay_outcomes(replayed, util::unix_now_ms());
  with_wiring(self, rp, [self, reply, replayed, outcomes](const pipeline_handles& w, promise rp) mutable {
    // The evidence writer is the daemon's only writer of evidence files.
    for (auto& o : outcomes) self->send(w.evidence, std::move(o));
    std::map<std::string, delivery_batch> by_sub;
    for (const auto& d : replayed) {
      auto& batch = by_sub[d.subscription];
      batch.subscription = d.subscription;
      batch.items.push_back(ref_to(d));
    }
    for (auto& [sub, batch] : by_sub) {
      auto it = w.deliverers.find(sub);
      if (it != w.deliverers.end()) {
        self->send(it->second, std::move(batch));
        self->send(it->second,
                   enable_atom::value);  // replay clears a 410 disable (already done in the store)
        continue;
      }
      for (auto& r : reply.replayed)
        if (r.ok && r.subscription == sub)
          r.result += " (queued; subscription not running, sent once it is enabled)";
    }
    rp.deliver(reply);
  });
}

std::string known_names(const config::settings& cfg) {
  std::string names;
  for (const auto& s : cfg.subscriptions) names += (names.empty() ? "" : ", ") + s.name;
  return names.empty() ? "none configured" : "known: " + names;
}

std::string not_running_reason(const config::settings& cfg, const std::string& name) {
  for (const auto& s : cfg.subscriptions)
    if (s.name == name) return "subscription " + name + " is disabled in the config";
  return "no subscription named '" + name + "' (" + known_names(cfg) + ")";
}

void answer_pause_resume(self_ptr self, const admin_request& req, promise rp) {
  bool pause = req.command == "pause";
  auto name = req.subscription;
  with_wiring(self, rp, [self, pause, name](const pipeline_handles& w, promise rp) {
    auto it = w.deliverers.find(name);
    if (it == w.deliverers.end()) {
      rp.deliver(failure(not_running_reason(self->state.cfg, name)));
      return;
    }
    admin_reply reply;
    if (pause) {
      self->send(it->second, pause_atom::value);
      reply.message =
          "paused " + name + ": no new attempts until `resume " + name + "` (in-flight ones finish)";
    } else {
      self->send(it->second, resume_atom::value);
      reply.message = "resumed " + name + " (a 410 disable, if any, is cleared)";
    }
    logging::info("admin", reply.message);
    rp.deliver(reply);
  });
}

admin_reply answer_reload(self_ptr self) {
  auto& st = self->state;
  if (!st.lifecycle) return failure("reload unavailable: this admin actor is not attached to a daemon");
  auto check = config::check_reload(st.cfg, config::process_env());
  std::string problems;
  for (const auto& p : check.problems) problems += "\n  " + p;
  if (!check.ok)
    return failure("reload rejected: " + check.refusal + (problems.empty() ? "" : ":" + problems));
  // serve owns the pipeline's life cycle: it applies the checked settings exactly as it applies a SIGHUP.
  self->send(st.lifecycle, reload_request{std::make_shared<const config::settings>(std::move(check.next))});
  admin_reply r;
  r.message = "reload requested: " + st.cfg.config_path + " is valid; the daemon is applying it" + problems;
  return r;
}

void on_rewire(self_ptr self, const admin_rewire& m) {
  auto& st = self->state;
  st.supervisor = m.supervisor;
  auto address = st.cfg.admin;
  st.cfg = *m.cfg;
  if (st.cfg.admin != address)
    logging::warn("admin", "admin address change to " + st.cfg.admin +
                               " takes effect at the next restart; still on " + address);
  st.cfg.admin = address;
  // Operator pauses need no re-applying: deliverers persist them (sub/<name>/paused) and reload them.
}

worker_actor::behavior_type admin_behavior(self_ptr self, config::settings cfg, store::db_ptr db,
                                           spool::port spool, supervisor_actor supervisor,
                                           lifecycle_actor lifecycle, std::string token) {
  auto& st = self->state;
  st.token_file = token_path(cfg.state_dir).string();
  st.cfg = std::move(cfg);
  st.db = std::move(db);
  st.spool = std::move(spool);
  st.supervisor = std::move(supervisor);
  st.lifecycle = std::move(lifecycle);
  st.token = std::move(token);
  return {
      [=](const admin_request& req) {
        auto& st = self->state;
        auto rp = self->make_response_promise<admin_reply>();
        auto too_big = oversized(req);
        if (!too_big.empty()) {
          logging::warn("admin", "refused an oversized request: " + too_big);
          rp.deliver(failure("refused: " + too_big));
        } else if (!token_matches(st.token, req.token)) {
          logging::warn("admin", "refused a request without a valid token");
          rp.deliver(failure("refused: bad or missing admin token (read " + st.token_file + ")"));
        } else if (req.command == "status")
          answer_status(self, rp);
        else if (req.command == "list")
          answer_list(self, req, rp);
        else if (req.command == "replay")
          answer_replay(self, req, rp);
        else if (req.command == "pause" || req.command == "resume")
          answer_pause_resume(self, req, rp);
        else if (req.command == "reload")
          rp.deliver(answer_reload(self));
        else
          rp.deliver(failure("unknown command '" + req.command + "'"));
        return rp;
      },
      [=](const admin_rewire& m) { on_rewire(self, m); },
      [=](const admin_stop&) { self->quit(); },
  };
}

// The one actor peers can address: CAF gives a remote peer the same mailbox access as a local actor, and an
// exit_msg with reason `kill` ends any scheduled actor before its exit handler runs. So the gate drops exit
// and down messages in enqueue(), before CAF categorises them, and forwards admin requests to the admin
// actor, which is never exposed (replies come from the gate, so the admin actor's id never crosses the wire).
class admin_gate : public caf::event_based_actor {
 public:
  admin_gate(caf::actor_config& cfg, worker_actor admin)
      : caf::event_based_actor(cfg), admin_(std::move(admin)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* host) override {
    if (what) {
      const auto& content = what->content();
      if (content.match_elements<caf::exit_msg>() || content.match_elements<caf::down_msg>()) {
        logging::warn("admin", std::string("ignored ") +
                                   (content.match_elements<caf::exit_msg>() ? "an exit" : "a down") +
                                   " message sent to the admin actor (it stops only with the daemon)");
        return;
      }
    }
    caf::event_based_actor::enqueue(std::move(what), host);
  }

  // A quit gate may stay referenced for a while (a mailbox element it sent, the middleman, a BASP proxy of a
  // client that just disconnected); its handle to the detached worker must not keep that worker's thread
  // waiting to be destroyed, which made the actor system's destructor hang (admin_tls_test, rarely).
  void on_exit() override { admin_ = nullptr; }

  caf::behavior make_behavior() override {
    set_default_handler([](caf::scheduled_actor*, caf::message_view& m) -> caf::result<caf::message> {
      auto what = m.content().stringify();
      if (what.size() > 80) what = what.substr(0, 80) + "...";
      logging::warn("admin", "ignored an unexpected message: " + what);
      return caf::sec::unexpected_message;
    });
    return {
        [=](admin_request& req) {
          auto rp = make_response_promise<admin_reply>();
          request(admin_, caf::infinite, std::move(req))
              .then([rp](admin_reply& reply) mutable { rp.deliver(std::move(reply)); },
                    [rp](caf::error& err) mutable {
                      rp.deliver(failure("the admin actor failed: " + caf::to_string(err)));
                    });
          return rp;
        },
        [=](admin_rewire& m) { send(admin_, std::move(m)); },
        [=](const admin_stop&) {
          send(admin_, admin_stop{});
          quit();
        },
    };
  }

 private:
  worker_actor admin_;
};

}  // namespace

admin_actor spawn_admin(caf::actor_system& sys, config::settings cfg, store::db_ptr db, spool::port spool,
                        supervisor_actor supervisor, lifecycle_actor lifecycle, std::string& error) {
  auto parsed = config::parse_host_port(cfg.admin);
  if (!parsed) {
    error = parsed.message();
    return {};
  }
  const config::host_port& where = *parsed;
  if (!config::is_loopback_host(where.host)) {
    if (!cfg.admin_allow_remote) {
      error = cfg.admin + " is not a loopback address (set notify.admin_allow_non_loopback = true)";
      return {};
    }
    logging::warn("admin", "admin actor exposed on the non-loopback address " + cfg.admin +
                               " (admin_allow_non_loopback = true): callers still need the client "
                               "certificate and the token from the state dir");
  }
  auto token = write_new_token(token_path(cfg.state_dir));
  if (!token) {
    error = token.message();
    return {};
  }
  auto worker = sys.spawn<caf::detached>(admin_behavior, cfg, std::move(db), std::move(spool),
                                         std::move(supervisor), std::move(lifecycle), std::move(*token));
  auto gate = sys.spawn<admin_gate>(worker);
  // Mutual TLS (the certificates are in the actor system's config, see tls_config): a peer without the
  // client certificate never gets past the handshake, so not one byte of it reaches BASP.
  // Published untyped: remote callers only ever send admin_request (the gate answers anything else with an
  // error), and untyped clients connect to it without knowing the local-only message types.
  auto port = caf::openssl::publish(gate, where.port, where.host.c_str(), true);
  if (!port) {
    error = "cannot listen on " + cfg.admin + ": " + sys.render(port.error());
    caf::anon_send(gate, admin_stop{});
    return {};
  }
  logging::info("admin", "admin actor listening on " + cfg.admin + " (mutual TLS, credentials in " +
                             tls_paths(cfg.state_dir).dir.string() + ", token in " +
                             token_path(cfg.state_dir).string() + ")");
  // The gate handles admin_rewire and admin_stop (see make_behavior): the typed handle is what serve may
  // send.
  return caf::actor_cast<admin_actor>(gate);
}

bool tls_config(caf::actor_system_config& sys_cfg, const config::settings& cfg, bool daemon,
                std::string& error) {
  tls_files files;
  if (daemon) {
    bool issued = false;
    if (auto made = ensure_tls_files(cfg.state_dir, files, issued); !made) {
      error = made.message();
      return false;
    }
    if (issued) logging::info("admin", "issued new admin TLS credentials in " + files.dir.string());
  } else if (auto readable = client_tls_files(cfg.state_dir, files); !readable) {
    error = readable.message();
    return false;
  }
  sys_cfg.load<caf::openssl::manager>();
  sys_cfg.openssl_certificate = (daemon ? files.daemon_cert : files.client_cert).string();
  sys_cfg.openssl_key = (daemon ? files.daemon_key : files.client_key).string();
  sys_cfg.openssl_cafile = files.ca.string();
  return true;
}

void hide_utility_actors(caf::actor_system& sys) {
  // BASP routes messages addressed by name to these registry entries; nothing of ours uses them remotely.
  sys.registry().erase(caf::atom("SpawnServ"));
  sys.registry().erase(caf::atom("ConfigServ"));
}

void rewire_admin(const admin_actor& admin, supervisor_actor supervisor, config::settings cfg) {
  if (!admin) return;
  caf::anon_send(
      admin, admin_rewire{std::move(supervisor), std::make_shared<const config::settings>(std::move(cfg))});
}

void stop_admin(caf::actor_system& sys, const admin_actor& admin, const config::settings& cfg) {
  if (!admin) return;
  // (caf/openssl/unpublish.hpp does not compile in 0.17.6: it omits the actor_addr its middleman expects.)
  caf::scoped_actor self{sys};
  self->request(sys.openssl_manager().actor_handle(), std::chrono::seconds(2), caf::unpublish_atom::value,
                admin.address(), uint16_t{0})
      .receive([] {},
               [](caf::error&) { logging::warn("admin", "could not close the admin port before stopping"); });
  std::error_code ec;
  std::filesystem::remove(token_path(cfg.state_dir), ec);
  caf::anon_send(admin, admin_stop{});
}

}  // namespace spec_notify::admin
