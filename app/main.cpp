// spec-notify: argv -> command. Each command parses its own options (app/cli.hpp); CAF never sees user argv.
#include <iostream>
#include <string>
#include <vector>

#include "app/commands/commands.hpp"

namespace {

const char* usage =
    "usage: spec-notify <command> [options]\n"
    "\n"
    "commands:\n"
    "  init [--repo DIR] [--url URL]  write a commented config.toml for a checkout + a secret; print next "
    "steps\n"
    "  serve [--config F]            run the daemon: watch, detect, deliver (SIGTERM/SIGINT stop, exit 0)\n"
    "  check-config [--config F]     validate the configuration; every problem as file:line:col; exit 2 on "
    "any\n"
    "  receive --listen HOST:PORT    a verifying test receiver (JSON line per request; fault injection)\n"
    "  secret new                    print a fresh whsec_ secret\n"
    "  demo                          self-contained demo: sample repo, daemon, receiver, transitions, "
    "summary\n"
    "  --test SPEC-ID --subscription NAME   build, sign and send (or dry-run) one spec-notify.test delivery\n"
    "  --list [--failed] [--subscription N] [--json]   pending deliveries and dead letters\n"
    "  --replay ID... | --replay --failed [--since 24h] [--subscription N]   re-enqueue dead letters\n"
    "  admin [--config F]            interactive shell to the running daemon (status, list, replay, pause, "
    "...)\n"
    "\n"
    "Config: --config F, else $SPEC_NOTIFY_CONFIG, else ./config.toml. Exit codes: 0 ok, 1 runtime failure,\n"
    "2 usage or config error. `spec-notify <command> --help` describes each command.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace spec_notify::app;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << usage;
    return 2;
  }
  std::string command = args.front();
  arg_list rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "spec-notify " << SPEC_NOTIFY_VERSION << "\n";
    return 0;
  }
  if (command == "init") return run_init(rest, argv[0]);
  if (command == "serve") return run_serve(rest);
  if (command == "check-config") return run_check_config(rest);
  if (command == "receive") return run_receive(rest);
  if (command == "secret") return run_secret(rest);
  if (command == "demo") return run_demo(rest);
  if (command == "--test") return run_test(rest);
  if (command == "--list") return run_list(rest);
  if (command == "--replay") return run_replay(rest);
  if (command == "admin") return run_admin(rest);
  std::cerr << "spec-notify: unknown command '" << command << "'\n\n" << usage;
  return 2;
}
