// `spec-notify serve`: load and validate the config (never start half-configured), open the store, run the
// supervised pipeline until SIGTERM/SIGINT, then stop it and exit 0.
#include <atomic>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "actors/admin/admin_actor.hpp"
#include "actors/log.hpp"
#include "actors/metrics/metrics_server.hpp"
#include "actors/spool/spool_actor.hpp"
#include "actors/supervisor/supervisor_actor.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "config/reload.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::app {
namespace {

const std::vector<option_spec> serve_options = {
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

// Blocks the signals the daemon handles so every thread inherits the mask and one thread alone receives
// them through sigtimedwait (no async-signal-safety puzzles).
sigset_t block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Loads the config again for SIGHUP. Returns false (and logs every problem) when the new config cannot
// replace the running one; the running pipeline is then left untouched.
bool reload_config(const config::settings& current, config::settings& next) {
  auto check = config::check_reload(current, config::process_env());
  for (const auto& p : check.problems) logging::warn("serve", "reload: " + p);
  if (!check.ok) {
    logging::error("serve", "reload rejected: " + check.refusal);
    return false;
  }
  next = std::move(check.next);
  return true;
}

using os_signal_atom = caf::atom_constant<caf::atom("ossignal")>;

// Waits for SIGTERM/SIGINT/SIGHUP and hands each to the main loop as a message, so the main thread sleeps in
// one blocking receive (signals, admin reloads, the pipeline's down message) instead of waking ten times a
// second to look for either (docs/benchmarks.md, "Idle cost"). Stops within a second of `stop()`.
class signal_forwarder {
 public:
  signal_forwarder(sigset_t signals, caf::actor target)
      : thread_([this, signals, target] {
          while (!stopping_) {
            timespec wait{1, 0};
            if (int sig = sigtimedwait(&signals, nullptr, &wait); sig > 0)
              caf::anon_send(target, os_signal_atom::value, sig);
          }
        }) {}
  ~signal_forwarder() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// From SIGTERM to exit at most: the deliverers' 5 s drain plus a margin for the stages behind them.
constexpr auto stop_deadline = std::chrono::seconds(8);

int run_pipeline(config::settings cfg) {
  auto signals = block_daemon_signals();
  std::string error;
  auto opened = store::db::open(cfg.state_dir.string());
  if (!opened) {
    logging::error("serve", opened.message());
    return 1;
  }
  std::shared_ptr<store::db> db = std::move(*opened);
  caf::actor_system_config sys_cfg;
  sys_cfg.load<caf::io::middleman>();  // the admin actor is published for `admin`, `--list`, `--replay`
  if (cfg.admin_enabled && !admin::tls_config(sys_cfg, cfg, true, error)) {
    logging::error("serve", "admin channel: " + error + " (set admin = \"off\" to run without it)");
    return 1;
  }
  // An idle scheduler worker checks for work to steal every relaxed-sleep-duration (CAF's default: 10 ms, 4
  // workers = ~400 wake-ups/s, ~0.8 % of a core doing nothing). A new message from another thread (the
  // detached router, watcher, http workers, the admin) wakes a sleeping worker at once anyway; the only
  // scheduled-to-scheduled sends (supervisor <-> deliverers) are control messages, so stealing once a second
  // costs no throughput (docs/benchmarks.md, "Idle cost").
  sys_cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::seconds(1)});
  register_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  admin::hide_utility_actors(sys);
  caf::scoped_actor self{sys};
  // Optional Prometheus endpoint; declared after `sys` so it stops (joining its threads) before the system.
  std::unique_ptr<metrics::metrics_server> metrics_endpoint;
  if (!cfg.metrics.empty()) {
    auto started = metrics::metrics_server::start(sys, cfg.metrics);
    if (!started) {
      logging::error("serve", started.message());
      return 1;
    }
    metrics_endpoint = std::move(*started);
  }
  // The spool actor, the one writer of the delivery spool (dlv/, dead/, sub/): like the store it outlives
  // every pipeline (a reload keeps it) and stops after the last one, writing what is still queued. Monitored:
  // if it ever stops, nothing could be persisted, so the daemon stops too (exit 1, restarted by its unit).
  auto spool = spool::spawn_spool(sys, db);
  self->monitor(spool);
  auto stop_spool = [&] {
    if (auto flushed = spool::stop_spool(sys, spool, stop_deadline); !flushed)
      logging::error("serve", flushed.message());
  };
  auto start = [&](const config::settings& c) {
    auto sup = supervisor::spawn_supervisor(sys, c, db, spool);
    self->monitor(sup);
    if (metrics_endpoint) metrics_endpoint->set_supervisor(sup);  // scrapes follow a SIGHUP restart
    size_t active = 0;
    for (const auto& s : c.subscriptions) active += s.enabled ? 1 : 0;
    logging::info("serve", "watching " + c.repo.string() + " with " + std::to_string(active) +
                               " active subscription(s); state in " + c.state_dir.string());
    return sup;
  };
  // Stops the pipeline and waits until every stage has stopped (in-flight requests drain first). A stage
  // that is still stuck past the deadline must not keep the process alive: the spool is durable (what was
  // in flight is attempted again at the next start), so the process ends without waiting for it.
  auto stop = [&](const supervisor_actor& sup, bool exiting) {
    self->send_exit(sup, caf::exit_reason::user_shutdown);
    bool stopped = false;
    self->receive([&](caf::down_msg&) { stopped = true; }, caf::after(stop_deadline) >> [] {});
    if (stopped) return;
    logging::error("serve", "the pipeline did not stop within " + std::to_string(stop_deadline.count()) +
                                " s; " +
                                (exiting ? "exiting anyway (queued deliveries stay in the spool)"
                                         : "exiting so that a supervisor restarts it cleanly"));
    std::_Exit(1);
  };
  auto sup = start(cfg);
  // Started after the pipeline it operates on, stopped before it.
  admin::admin_actor admin_actor;
  if (cfg.admin_enabled) {
    // `self` handles reload_request in the loop below: that is the lifecycle interface.
    admin_actor = admin::spawn_admin(sys, cfg, db, spool::through(sys, spool), sup,
                                     caf::actor_cast<admin::lifecycle_actor>(self), error);
    if (!admin_actor) {
      logging::error("serve", "admin actor: " + error + " (set admin = \"off\" to run without it)");
      stop(sup, true);
      stop_spool();
      return 1;
    }
  } else {
    logging::info("serve",
                  "admin actor off (admin = \"off\"): admin, online --list and --replay unavailable");
  }
  auto stop_admin = [&] {
    admin::stop_admin(sys, admin_actor, cfg);
    admin_actor = nullptr;
  };
  int exit_code = 0;
  signal_forwarder forwarder(signals, caf::actor_cast<caf::actor>(self));
  for (bool running = true; running;) {
    // The receive only records what arrived; the work (stopping, reloading: each waits for the pipeline's
    // down message in a receive of its own) happens after it returns, never inside a handler, so no receive
    // is ever nested in another.
    int sig = 0;
    std::optional<config::settings> next;
    const char* trigger = "";
    self->receive([&](os_signal_atom, int s) { sig = s; },
                  [&](admin::reload_request& r) {
                    next = *r.next;  // a copy: the message may be shared
                    trigger = "admin reload";
                  },
                  [&](caf::down_msg& dm) {
                    logging::error("serve",
                                   std::string(dm.source == spool.address()
                                                   ? "spool actor stopped (nothing can be persisted): "
                                                   : "pipeline stopped: ") +
                                       sys.render(dm.reason));
                    exit_code = 1;
                    running = false;
                  });
    if (sig == SIGTERM || sig == SIGINT) {
      logging::info("serve",
                    std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "; stopping");
      stop_admin();
      stop(sup, true);
      break;
    }
    // Both reload triggers end here: SIGHUP (forwarded as a message) and the admin shell's reload (checked by
    // the admin actor with the same config::check_reload, then handed over as a message).
    if (sig == SIGHUP) {
      config::settings reloaded;
      if (reload_config(cfg, reloaded)) {
        next = std::move(reloaded);
        trigger = "SIGHUP";
      }
    }
    if (next) {
      logging::info("serve",
                    std::string(trigger) + ": applying the new config (queued deliveries stay in the spool)");
      stop(sup, false);
      cfg = std::move(*next);
      sup = start(cfg);
      admin::rewire_admin(admin_actor, sup, cfg);
    }
  }
  forwarder.stop();
  stop_admin();
  stop_spool();  // after every writer: the pipeline is down, the admin actor gone
  logging::info("serve", "stopped");
  return exit_code;
}

}  // namespace

int run_serve(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, serve_options, parsed, error)) {
    std::cerr << "spec-notify serve: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(std::cout, "spec-notify serve [--config F]",
               "Runs the daemon in the foreground: watches the Spec Kit repo, detects task transitions and\n"
               "telemetry, delivers signed webhooks. Logs to stderr (level: "
               "$SPEC_NOTIFY_LOG=debug|info|warn|error).\n"
               "SIGTERM/SIGINT stop it cleanly (exit 0).",
               serve_options);
    return 0;
  }
  if (!parsed.positional.empty()) {
    std::cerr << "spec-notify serve: unexpected argument '" << parsed.positional.front() << "'\n";
    return 2;
  }
  auto loaded = config::load_settings_file(config_path_from(parsed), config::process_env());
  for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << "spec-notify serve: configuration invalid; not starting (run check-config for details)\n";
    return 2;
  }
  return run_pipeline(loaded.value);
}

}  // namespace spec_notify::app
