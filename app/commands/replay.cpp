// `spec-notify --replay ID...` / `--replay --failed [--since D] [--subscription N]`: dead letters back into
// the spool under the same webhook-id, one result line per id. Through the running daemon's admin actor
// (delivered at once), or straight into the store when no daemon runs (delivered at its next start).
#include <iostream>

#include "actors/util/clock.hpp"
#include "app/commands/admin_client.hpp"
#include "app/commands/admin_ops.hpp"
#include "app/commands/commands.hpp"
#include "config/duration.hpp"

namespace spec_notify::app {

const std::vector<option_spec> replay_options = {
    {"failed", false, false, "every dead letter (narrow with --since / --subscription)"},
    {"since", true, false, "with --failed: only letters that died within this duration (24h, 30m, 7d)"},
    {"subscription", true, false, "with --failed: only this subscription"},
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

bool build_replay_request(const parsed_args& args, admin_request& req, std::string& error) {
  req.command = "replay";
  req.failed = args.has("failed");
  req.ids = args.positional;
  if (req.failed == !req.ids.empty()) {
    error =
        req.failed ? "give delivery ids or --failed, not both" : "give delivery ids (msg_...) or --failed";
    return false;
  }
  if (!req.failed && (args.has("since") || args.has("subscription"))) {
    error = "--since and --subscription go with --failed";
    return false;
  }
  req.subscription = args.get("subscription");
  if (args.has("since")) {
    auto since = config::parse_duration(args.get("since"));
    if (!since) {
      error = since.message();
      return false;
    }
    req.since_ms = util::unix_now_ms() - since->count();
  }
  return true;
}

int run_replay(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, replay_options, parsed, error)) {
    std::cerr << "spec-notify --replay: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(
        std::cout,
        "spec-notify --replay ID... [--config F] | --replay --failed [--since 24h] [--subscription N]",
        "Re-enqueues dead letters under the SAME webhook-id (the receiver's idempotency key), attempts\n"
        "counted from 1 again, and records the replay in the evidence. With a running daemon it is sent\n"
        "at once; without one it is sent at the next start. Exit 1 when an id could not be replayed.",
        replay_options);
    return 0;
  }
  admin_request req;
  if (!build_replay_request(parsed, req, error)) {
    std::cerr << "spec-notify --replay: " << error << "\n";
    return 2;
  }
  config::settings cfg;
  if (int code = load_ops_config(parsed, "--replay", cfg)) return code;
  auto session = admin_session::open(cfg, true, error);
  if (!session) {
    std::cerr << "spec-notify --replay: " << error << "\n";
    return 1;
  }
  auto reply = session->call(req);
  if (!reply.ok && reply.replayed.empty()) {
    std::cerr << "spec-notify --replay: " << reply.message << "\n";
    return 1;
  }
  bool all = print_replay(std::cout, reply);
  if (!reply.message.empty()) std::cerr << "spec-notify --replay: " << reply.message << "\n";
  if (!session->remote() && all && !reply.replayed.empty())
    std::cout << "no daemon is running: the replayed deliveries are sent when `spec-notify serve` starts\n";
  return all && reply.ok ? 0 : 1;
}

}  // namespace spec_notify::app
