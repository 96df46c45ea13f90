// `spec-notify --test SPEC-ID --subscription NAME [--config F]`: validates the config like serve, builds a
// real `spec-notify.test` payload from the SPEC's current files (test_sample.hpp), signs it exactly as the
// deliverer signs an attempt, then either records the signed sample in the SPEC's webhook evidence (dry_run)
// or sends it once and prints "HTTP <code> in <ms> ms". Works whether or not a daemon runs: it reads the
// watched files only, never the LevelDB state. Exit 0 on a 2xx (or a recorded dry run), 1 on a failed
// delivery or evidence write, 2 on usage/config errors. Secrets and signature values are never printed and
// are redacted in the evidence sample.
#include <chrono>
#include <iostream>

#include "actors/deliverer/http_sender.hpp"
#include "actors/deliverer/request.hpp"
#include "actors/deliverer/signature.hpp"
#include "actors/evidence/evidence_log.hpp"
#include "actors/router/body_template.hpp"
#include "actors/router/payload.hpp"
#include "actors/util/clock.hpp"
#include "actors/util/ids.hpp"
#include "actors/util/json_text.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/explain.hpp"
#include "app/commands/test_sample.hpp"
#include "config/settings.hpp"

namespace spec_notify::app {
namespace {

const std::vector<option_spec> test_options = {
    {"subscription", true, false, "the subscription to test (required)"},
    {"config", true, false, "config file (default $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"help", false, false, "show this help"},
};

constexpr const char* summary =
    "Validates the configuration, builds a real spec-notify.test payload for SPEC-ID from the current\n"
    "task files (SPEC-ID: full slug or short key such as SPEC-KIT-075) and signs it for NAME.\n"
    "dry_run = true: writes the signed sample (signature values redacted) to the SPEC's webhook evidence\n"
    "and sends nothing. Otherwise: sends one delivery and prints the status code and latency.\n"
    "Before that it prints what NAME would receive for the task files as they are now (which rows, and\n"
    "the filter that refuses each other one); the test delivery itself is sent whatever the filters say.\n"
    "Exit 0 on 2xx or a recorded dry run, 1 when the delivery failed, 2 on usage or config errors.";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

// Scheme, host and port, then "/***" for any path or query: webhook URL paths and queries often embed
// tokens (and a url_env URL is a secret as a whole).
std::string origin_of(const config::subscription_settings& sub) {
  return config::redacted_url(sub.target);
}

// {"url": origin, "headers": {...}, "body": payload}; signature header values become "[redacted]".
std::string evidence_sample(const config::subscription_settings& sub, const deliverer::http_request& req) {
  std::string out = "{\"url\":" + router::json_string(origin_of(sub)) + ",\"headers\":{";
  bool first = true;
  for (const auto& [name, value] : req.headers) {
    out += (first ? "" : ",") + router::json_string(name) + ":" +
           router::json_string(deliverer::is_secret_header(name) ? "[redacted]" : value);
    first = false;
  }
  // A body that is not JSON (a text/plain template) is recorded as one JSON string.
  const bool json = util::parse_json(req.body).has_value();
  return out + "},\"body\":" + (json ? req.body : router::json_string(req.body)) + "}";
}

const config::subscription_settings* find_subscription(const config::settings& cfg, const std::string& name) {
  for (const auto& s : cfg.subscriptions)
    if (s.name == name) return &s;
  return nullptr;
}

// The SPEC id `query` names, or "" after explaining on stderr why there is none.
std::string resolve_spec(const spec_catalog& catalog, const std::string& query) {
  auto matches = match_spec(catalog, query);
  if (matches.size() == 1) return matches.front();
  if (matches.empty())
    std::cerr << "spec-notify --test: unknown SPEC '" << query
              << "'; known SPEC ids: " << join(catalog.spec_ids) << "\n";
  else
    std::cerr << "spec-notify --test: '" << query << "' matches several SPECs: " << join(matches)
              << "; give the full id\n";
  return "";
}

// Validates everything the command needs; on success `cfg` and `sub` are usable. Returns the exit code
// to stop with, or -1 to continue.
int load(const parsed_args& parsed, config::settings& cfg, const config::subscription_settings*& sub) {
  auto loaded = config::load_settings_file(config_path_from(parsed), config::process_env());
  for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << "spec-notify --test: configuration invalid; nothing was built or sent\n";
    return 2;
  }
  cfg = std::move(loaded.value);
  const auto name = parsed.get("subscription");
  sub = find_subscription(cfg, name);
  if (!sub) {
    std::vector<std::string> names;
    for (const auto& s : cfg.subscriptions) names.push_back(s.name);
    std::cerr << "spec-notify --test: no subscription named '" << name << "' in " << cfg.config_path
              << "; subscriptions: " << join(names) << "\n";
    return 2;
  }
  if (!sub->disabled_reason.empty()) {
    std::cerr << "spec-notify --test: warning: subscription " << sub->name << " is disabled ("
              << sub->disabled_reason << "); fix its url and run --test again\n";
    return 2;
  }
  if (!sub->enabled)
    std::cerr << "spec-notify --test: note: subscription " << sub->name
              << " has enabled = false; testing it anyway\n";
  return -1;
}

evidence::evidence_record base_record(const delivery& d, const std::string& kind, int64_t at_ms) {
  evidence::evidence_record r;
  r.delivery_id = d.id;
  r.subscription = d.subscription;
  r.event_type = d.event_type;
  r.spec_id = d.spec_id;
  r.task_id = d.task_id;
  r.kind = kind;
  r.attempt = 1;
  r.at_ms = at_ms;
  return r;
}

int write_evidence(const config::settings& cfg, const evidence::evidence_record& r) {
  evidence::evidence_log log(cfg.evidence_dir, cfg.evidence_max_bytes_per_spec, cfg.repo);
  if (auto written = log.append(r); !written) {
    std::cerr << "spec-notify --test: evidence not written: " << written.message() << "\n";
    return 1;
  }
  std::cout << "evidence: " << log.folder_for(r.spec_id).string() << "\n";
  return 0;
}

int send_or_record(const config::settings& cfg, const config::subscription_settings& sub, const delivery& d) {
  const int64_t started = util::unix_now_ms();
  auto req = deliverer::build_request(sub, d, 1, started / 1000);
  if (sub.dry_run) {
    auto r = base_record(d, "dry_run", started);
    r.outcome = "dry_run";
    r.sample = evidence_sample(sub, req);
    std::cout << "dry run (dry_run = true): nothing sent; " << (sub.signed_body() ? "signed " : "")
              << "sample recorded\n";
    return write_evidence(cfg, r);
  }
  deliverer::http_sender sender;
  auto resp = sender.post(req);
  bool ok = resp.error.empty() && resp.status_code >= 200 && resp.status_code < 300;
  if (resp.error.empty())
    std::cout << "HTTP " << resp.status_code << " in " << resp.latency_ms << " ms\n";
  else
    std::cout << "no response after " << resp.latency_ms << " ms: " << resp.error << "\n";
  auto r = base_record(d, "test", started);
  r.status_code = resp.status_code;
  r.latency_ms = resp.latency_ms;
  r.error = ok ? "" : (resp.error.empty() ? "HTTP " + std::to_string(resp.status_code) : resp.error);
  r.outcome = ok ? "delivered" : "failed";
  r.sample = evidence_sample(sub, req);
  int evidence_rc = write_evidence(cfg, r);
  return ok ? evidence_rc : 1;
}

}  // namespace

int run_test(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, test_options, parsed, error)) {
    std::cerr << "spec-notify --test: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(std::cout, "spec-notify --test SPEC-ID --subscription NAME [--config F]", summary,
               test_options);
    return 0;
  }
  if (parsed.positional.size() != 1 || !parsed.has("subscription")) {
    std::cerr << "spec-notify --test: usage: spec-notify --test SPEC-ID --subscription NAME [--config F]\n";
    return 2;
  }
  config::settings cfg;
  const config::subscription_settings* sub = nullptr;
  if (int rc = load(parsed, cfg, sub); rc >= 0) return rc;

  auto catalog = scan_specs(cfg.repo);
  for (const auto& p : catalog.problems) std::cerr << "spec-notify --test: warning: " << p << "\n";
  auto spec_id = resolve_spec(catalog, parsed.positional.front());
  if (spec_id.empty()) return 2;
  print_reach(std::cout, {*sub}, catalog);
  const spec_task* task = pick_task(catalog, spec_id);
  auto e = make_test_event(spec_id, task, read_spec_context(cfg.repo, cfg.evidence_dir, spec_id),
                           util::unix_now_ms());

  delivery d;
  d.id = util::random_id("msg_");
  d.subscription = sub->name;
  d.event_id = e.id;
  d.event_type = e.type;
  d.spec_id = e.spec_id;
  d.task_id = e.task_id;
  // A test delivery is alone under its own key: it never waits for, or holds up, a real one.
  d.ordering_key = "test/" + d.id;
  d.sequence = 1;
  // The body the daemon would send this subscription: payload v1, its chat format or its template.
  auto body = router::body_template::for_subscription(*sub);
  if (!body) {
    std::cerr << "spec-notify --test: " << body.message() << "\n";
    return 2;
  }
  d.body = (*body)->render(e, d.id, d.sequence, d.ordering_key);
  d.created_at_ms = d.next_at_ms = e.occurred_at_ms;
  std::cout << e.type << " for " << spec_id;
  if (task) std::cout << " task " << e.task_id << " (" << e.to << ", " << e.source << ":" << e.line << ")";
  std::cout << " -> subscription " << sub->name << " (" << origin_of(*sub) << "), webhook-id " << d.id
            << "\n";
  return send_or_record(cfg, *sub, d);
}

}  // namespace spec_notify::app
