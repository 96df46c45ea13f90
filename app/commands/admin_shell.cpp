// `spec-notify admin`: an interactive shell to the running daemon's admin actor. With a terminal it offers
// line editing and history (~/.spec_notify_history, via libedit when built with it); with stdin from a pipe
// it reads plain lines, so `printf 'status\nquit\n' | spec-notify admin` works in scripts (exit 1 when any
// command failed).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "actors/util/clock.hpp"
#include "app/commands/admin_client.hpp"
#include "app/commands/admin_ops.hpp"
#include "app/commands/commands.hpp"

#ifdef SPEC_NOTIFY_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

namespace spec_notify::app {
namespace {

const std::vector<option_spec> admin_options = {
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

const char* shell_help =
    "commands:\n"
    "  status                                   every subscription: state, queue, counters, dead letters\n"
    "  list [--failed] [--subscription N] [--json]   pending deliveries and dead letters\n"
    "  replay ID... | replay --failed [--since 24h] [--subscription N]   re-enqueue dead letters (same id)\n"
    "  pause NAME / resume NAME                 stop / restart new attempts (resume also clears a 410 "
    "disable)\n"
    "  reload                                   validate the config file and apply it (invalid: nothing "
    "changes)\n"
    "  help, quit\n";

enum class step { ok, failed, quit };

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

step report_failure(const std::string& message) {
  std::cout << "error: " << message << "\n";
  return step::failed;
}

step run_line(admin_session& session, const std::vector<std::string>& w) {
  const auto& cmd = w.front();
  std::vector<std::string> rest(w.begin() + 1, w.end());
  if (cmd == "quit" || cmd == "exit") return step::quit;
  if (cmd == "help" || cmd == "?") return std::cout << shell_help, step::ok;
  admin_request req;
  parsed_args parsed;
  std::string error;
  bool json = false;
  if (cmd == "list") {
    if (!parse_args(rest, list_options, parsed, error) || !build_list_request(parsed, req, json, error))
      return report_failure(error);
  } else if (cmd == "replay") {
    if (!parse_args(rest, replay_options, parsed, error) || !build_replay_request(parsed, req, error))
      return report_failure(error);
  } else if (cmd == "pause" || cmd == "resume") {
    if (rest.size() != 1) return report_failure("usage: " + cmd + " NAME");
    req.command = cmd;
    req.subscription = rest.front();
  } else if (cmd == "status" || cmd == "reload") {
    if (!rest.empty()) return report_failure(cmd + " takes no arguments");
    req.command = cmd;
  } else {
    return report_failure("unknown command '" + cmd + "' (type help)");
  }
  auto reply = session.call(req);
  if (cmd == "replay" && !reply.replayed.empty()) {
    bool all = print_replay(std::cout, reply);
    if (!reply.message.empty()) std::cout << reply.message << "\n";
    return all && reply.ok ? step::ok : step::failed;
  }
  if (!reply.ok) return report_failure(reply.message);
  if (cmd == "status")
    print_status(std::cout, reply, util::unix_now_ms());
  else if (cmd == "list" && json)
    std::cout << list_json(reply) << "\n";
  else if (cmd == "list")
    print_list(std::cout, reply, req.failed, util::unix_now_ms());
  else if (cmd == "replay")
    print_replay(std::cout, reply);
  else
    std::cout << reply.message << "\n";
  return step::ok;
}

std::string history_file() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.spec_notify_history" : "";
}

// One line from the terminal (with editing and history) or from a pipe. False at end of input.
bool next_line(bool interactive, std::string& line) {
#ifdef SPEC_NOTIFY_HAVE_LIBEDIT
  if (interactive) {
    char* raw = readline("spec-notify> ");
    if (!raw) return false;
    line = raw;
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    return true;
  }
#endif
  if (interactive) std::cout << "spec-notify> " << std::flush;
  return static_cast<bool>(std::getline(std::cin, line));
}

}  // namespace

int run_admin(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, admin_options, parsed, error)) {
    std::cerr << "spec-notify admin: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(
        std::cout, "spec-notify admin [--config F]",
        "Interactive shell to the running daemon (its admin actor, authenticated with the token file in\n"
        "state_dir).\n\n" +
            std::string(shell_help),
        admin_options);
    return 0;
  }
  if (!parsed.positional.empty()) {
    std::cerr << "spec-notify admin: unexpected argument '" << parsed.positional.front() << "'\n";
    return 2;
  }
  config::settings cfg;
  if (int code = load_ops_config(parsed, "admin", cfg)) return code;
  auto session = admin_session::open(cfg, false, error);
  if (!session) {
    std::cerr << "spec-notify admin: " << error << "\n";
    return 1;
  }
  bool interactive = ::isatty(STDIN_FILENO) == 1;
  auto history = history_file();
#ifdef SPEC_NOTIFY_HAVE_LIBEDIT
  if (interactive) {
    using_history();
    stifle_history(1000);
    if (!history.empty()) read_history(history.c_str());
  }
#endif
  if (interactive) std::cout << "connected to the spec-notify " << session->where() << " (type help)\n";
  bool any_failed = false;
  for (std::string line; next_line(interactive, line);) {
    auto w = words(line);
    if (w.empty() || w.front().front() == '#') continue;
    auto s = run_line(*session, w);
    if (s == step::quit) break;
    any_failed = any_failed || s == step::failed;
  }
#ifdef SPEC_NOTIFY_HAVE_LIBEDIT
  if (interactive && !history.empty()) write_history(history.c_str());
#endif
  return interactive || !any_failed ? 0 : 1;
}

}  // namespace spec_notify::app
