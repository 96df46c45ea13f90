// `spec-notify --list [--failed] [--subscription N] [--json]`: pending deliveries and dead letters, and the
// subscriptions whose circuit breaker is open, through the running daemon's admin actor (circuits from its
// deliverers), or straight from the store when no daemon runs (circuits from sub/<name>/breaker). Terminal
// texts are control-escaped (admin_format.cpp, logging::escape_controls); --json output is JSON-escaped.
#include <iostream>

#include "actors/log.hpp"
#include "actors/util/clock.hpp"
#include "app/commands/admin_client.hpp"
#include "app/commands/admin_ops.hpp"
#include "app/commands/commands.hpp"

namespace spec_notify::app {

const std::vector<option_spec> list_options = {
    {"failed", false, false, "dead letters only"},
    {"subscription", true, false, "only this subscription"},
    {"json", false, false,
     "JSON instead of tables, payloads included: {\"pending\":[...],\"dead\":[...],\"circuits\":[...]}"},
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

bool build_list_request(const parsed_args& args, admin_request& req, bool& json, std::string& error) {
  if (!args.positional.empty()) {
    error = "unexpected argument '" + args.positional.front() + "'";
    return false;
  }
  req.command = "list";
  req.failed = args.has("failed");
  req.subscription = args.get("subscription");
  json = args.has("json");
  req.with_body = json;  // the JSON form is the export for a manual hand-off: it carries each payload
  return true;
}

int run_list(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, list_options, parsed, error)) {
    std::cerr << "spec-notify --list: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(
        std::cout, "spec-notify --list [--failed] [--subscription N] [--json] [--config F]",
        "Shows pending deliveries and dead letters: id, subscription, event, spec, task, attempts, next\n"
        "attempt (or when it died) and the last error; above them one line per subscription whose circuit\n"
        "breaker is open, and since when. Asks the running daemon (admin actor); reads the store directly\n"
        "when no daemon runs. Secret env vars are not needed.",
        list_options);
    return 0;
  }
  admin_request req;
  bool json = false;
  if (!build_list_request(parsed, req, json, error)) {
    std::cerr << "spec-notify --list: " << error << "\n";
    return 2;
  }
  config::settings cfg;
  if (int code = load_ops_config(parsed, "--list", cfg)) return code;
  auto session = admin_session::open(cfg, true, error);
  if (!session) {
    std::cerr << "spec-notify --list: " << logging::escape_controls(error) << "\n";
    return 1;
  }
  auto reply = session->call(req);
  if (!reply.ok) {
    std::cerr << "spec-notify --list: " << logging::escape_controls(reply.message) << "\n";
    return 1;
  }
  // A list whose circuit state could not be had (the pipeline did not answer) says so, beside the rows.
  if (!reply.message.empty())
    std::cerr << "spec-notify --list: " << logging::escape_controls(reply.message) << "\n";
  if (json)
    std::cout << list_json(reply) << "\n";
  else
    print_list(std::cout, reply, req.failed, util::unix_now_ms());
  return 0;
}

}  // namespace spec_notify::app
