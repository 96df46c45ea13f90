// `spec-notify check-config [--config F]`: loads and validates the configuration exactly as `serve` would,
// prints every problem (file:line:col) to stderr and a summary to stdout. Exit 0 when valid (warnings
// allowed), 2 on any error or usage problem. Secrets are never printed: only the variable names.
// A valid config is followed by what each subscription would receive for the task files as they are now
// (explain.hpp), so a filter that matches nothing shows before the daemon runs, not after a silent drop.
#include <iostream>

#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/explain.hpp"
#include "app/commands/template_check.hpp"
#include "app/commands/test_sample.hpp"
#include "config/duration.hpp"
#include "config/settings.hpp"

namespace spec_notify::app {
namespace {

const std::vector<option_spec>& check_config_options() {
  static const std::vector<option_spec> specs = {
      {"config", true, false, "config file (default: $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
      {"help", false, false, "show this help"},
  };
  return specs;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "(all)" : out;
}

std::string state_of(const config::subscription_settings& sub) {
  if (!sub.disabled_reason.empty()) return "disabled (" + sub.disabled_reason + ")";
  if (!sub.enabled) return "disabled";
  return sub.dry_run ? "enabled, dry-run" : "enabled";
}

// "standard (payload v1)", "slack (built-in template)", "teams, template /path/x.mustache".
std::string body_of(const config::subscription_settings& sub) {
  std::string format(config::to_string(sub.format));
  if (!sub.template_file.empty()) return format + ", template " + sub.template_file;
  return format + (sub.format == config::body_format::standard ? " (payload v1)" : " (built-in template)");
}

std::string secrets_of(const config::subscription_settings& sub) {
  if (!sub.signed_body()) return "none, unsigned (no signature key)";
  return std::to_string(sub.secrets.size()) + " from $" + sub.secret_env +
         "; signature: " + std::string(config::to_string(sub.signature));
}

void print_summary(std::ostream& os, const config::settings& cfg) {
  os << "config:       " << cfg.config_path << "\n"
     << "repo:         " << cfg.repo.string() << "\n"
     << "state_dir:    " << cfg.state_dir.string() << "\n"
     << "evidence_dir: " << cfg.evidence_dir.string() << "\n"
     << "admin:        " << cfg.admin << (cfg.admin_allow_remote ? " (non-loopback allowed)" : "") << "\n"
     << "metrics:      " << (cfg.metrics.empty() ? "off" : cfg.metrics) << "\n"
     << "subscriptions (" << cfg.subscriptions.size() << "):\n";
  for (const auto& sub : cfg.subscriptions) {
    // Scheme, host and port, the rest as "/***": a path or query may carry a token.
    std::string host = sub.target.host.empty() ? "(invalid url)" : config::redacted_url(sub.target);
    if (!sub.url_env.empty()) host += " (url from $" + sub.url_env + ")";
    // Host and port only: the credentials of an environment proxy are never shown.
    if (sub.proxy.enabled()) {
      config::parsed_url proxy{"http", sub.proxy.host, sub.proxy.port, "/"};
      host += " via proxy " + config::redacted_url(proxy) + " (" + sub.proxy.source + ")";
    }
    os << "  " << sub.name << ": " << host << "  [" << state_of(sub) << "]\n"
       << "    events: " << join(sub.events) << "; statuses: " << join(sub.statuses) << "\n"
       << "    specs: " << join(sub.specs) << "; tasks: " << join(sub.tasks) << "\n"
       << "    body: " << body_of(sub) << "; content-type: " << sub.content_type << "\n"
       << "    secrets: " << secrets_of(sub) << "; timeout: " << config::format_duration(sub.timeout)
       << "; max_attempts: " << sub.retry.max_attempts << "\n";
  }
}

}  // namespace

int run_check_config(const arg_list& args) {
  const auto& specs = check_config_options();
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, specs, parsed, error)) {
    std::cerr << "spec-notify check-config: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(std::cout, "spec-notify check-config [--config F]",
               "Validates the configuration; prints every problem as file:line:col. Exit 2 if any error.\n"
               "A valid configuration is summarised, with what each subscription would receive for the\n"
               "task files as they are now (which rows, and each filter that refuses the others).",
               specs);
    return 0;
  }
  if (!parsed.positional.empty()) {
    std::cerr << "spec-notify check-config: unexpected argument '" << parsed.positional.front() << "'\n";
    return 2;
  }
  config::load_result result = config::load_settings_file(config_path_from(parsed), config::process_env());
  size_t errors = 0, warnings = 0;
  for (const auto& p : result.problems) {
    std::cerr << p.to_string() << "\n";
    ++(p.warning ? warnings : errors);
  }
  // Bodies are rendered only over a configuration that loaded: a subscription half read is not worth it.
  if (result.ok()) {
    for (const auto& sub : result.value.subscriptions) {
      for (auto& p : check_subscription_body(sub, result.value.config_path)) {
        std::cerr << p.to_string() << "\n";
        ++(p.warning ? warnings : errors);
        result.problems.push_back(std::move(p));
      }
    }
  }
  if (!result.ok()) {
    std::cerr << result.value.config_path << ": " << errors << " error(s), " << warnings << " warning(s)\n";
    return 2;
  }
  print_summary(std::cout, result.value);
  auto catalog = scan_specs(result.value.repo);
  for (const auto& p : catalog.problems) std::cerr << "spec-notify check-config: warning: " << p << "\n";
  print_reach(std::cout, result.value.subscriptions, catalog);
  std::cout << "config OK" << (warnings ? " (" + std::to_string(warnings) + " warning(s))" : "") << "\n";
  return 0;
}

}  // namespace spec_notify::app
