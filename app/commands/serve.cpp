// `spec-notify serve`: load and validate the config (never start half-configured), open the store, run the
// supervised pipeline until SIGTERM/SIGINT, then stop it and exit 0.
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <iostream>

#include "actors/log.hpp"
#include "actors/supervisor/supervisor_actor.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::app {
namespace {

const std::vector<option_spec> serve_options = {
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

// Blocks the signals the daemon handles so every thread inherits the mask and the main thread alone
// receives them through sigtimedwait (no async-signal-safety puzzles).
sigset_t block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int run_pipeline(const config::settings& cfg) {
  auto signals = block_daemon_signals();
  std::string error;
  std::shared_ptr<store::db> db = store::db::open(cfg.state_dir.string(), error);
  if (!db) {
    logging::error("serve", error);
    return 1;
  }
  caf::actor_system_config sys_cfg;
  register_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  auto sup = supervisor::spawn_supervisor(sys, cfg, db);
  size_t active = 0;
  for (const auto& s : cfg.subscriptions) active += s.enabled ? 1 : 0;
  logging::info("serve", "watching " + cfg.repo.string() + " with " + std::to_string(active) +
                             " active subscription(s); state in " + cfg.state_dir.string());
  caf::scoped_actor self{sys};
  self->monitor(sup);
  int exit_code = 0;
  bool running = true;
  while (running) {
    timespec wait{0, 100 * 1000 * 1000};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      logging::info("serve", std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "; stopping");
      self->send_exit(sup, caf::exit_reason::user_shutdown);
      self->receive([&](caf::down_msg&) {});
      running = false;
    } else if (sig == SIGHUP) {
      logging::warn("serve", "SIGHUP: live reload is not implemented yet; restart the daemon to apply changes");
    }
    if (!running) break;
    self->receive(
        [&](caf::down_msg& dm) {
          logging::error("serve", "pipeline stopped: " + sys.render(dm.reason));
          exit_code = 1;
          running = false;
        },
        caf::after(std::chrono::seconds(0)) >> [] {});
  }
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
               "telemetry, delivers signed webhooks. Logs to stderr (level: $SPEC_NOTIFY_LOG=debug|info|warn|error).\n"
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
