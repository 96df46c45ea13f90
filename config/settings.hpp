#pragma once
// The [notify] configuration as plain values, and the one loader that turns TOML into them.
// Callers: app/commands (check-config, serve, --test, --list, --replay), the SIGHUP reload path.
// The loader validates everything and reports ALL problems at once, each located at file:line:col of the
// offending key or value; it never throws and never puts a secret value into a message.
// Thread-safety: pure functions; the only process state read is the environment, through env_lookup.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/url.hpp"

namespace spec_notify::config {

enum class signature_mode { standard, github, both };

// Key "ordering": which deliveries of a subscription are attempted strictly one after another, oldest event
// first. task (default): those of the same task (stage and pipeline events: those of the same SPEC); spec:
// those of the same SPEC; none: no waiting (max_in_flight attempts in any order). Whatever the mode, every
// payload carries its ordering key (the task's key) and a gap-free per-key sequence.
enum class ordering_mode { none, task, spec };

// Key "format": the body a subscription sends. standard (default): the signed payload v1 JSON. The chat
// flavours render a short message in the shape that service's incoming webhooks take: slack (also
// Mattermost), discord, teams (an Adaptive Card message for Teams Workflows webhooks), google_chat (written
// "google-chat"). Chat flavours are built-in Mustache templates (actors/router/templates/); key "template"
// replaces the built-in one. See docs/configuration.md "Payload formats and templates".
enum class body_format { standard, slack, discord, teams, google_chat };

// Retry policy of one subscription: exponential backoff with full jitter, dead letter after max_attempts.
struct retry_settings {
  int max_attempts = 10;                                                 // 1..100
  std::chrono::milliseconds initial_backoff{1000}, max_backoff{600000};  // initial <= max
  double multiplier = 2.0;                                               // >= 1.0
};

// Key "rate_limit" ("1/s", "60/m", "500/h"): at most `count` HTTP attempts per `per`, first attempts,
// retries and breaker probes alike, shared by all workers of the subscription; "rate_limit_burst" tokens may
// be spent at once after a quiet spell (default 1: attempts evenly spaced). count == 0: no limit.
struct rate_limit_settings {
  int64_t count = 0;  // 0 = unlimited; else 1..1,000,000
  std::chrono::milliseconds per{1000};
  int64_t burst = 1;  // 1..count
  bool enabled() const { return count > 0; }
};

// The [notify.subscriptions.breaker] table: present = on (the default is off). Opens after `failures`
// consecutive failed attempts or failures lasting `after`; while open one probe every `probe`.
struct breaker_settings {
  bool enabled = false;
  int failures = 5;  // 1..100; default min(5, retry.max_attempts)
  std::chrono::milliseconds after{std::chrono::minutes(5)}, probe{std::chrono::seconds(30)};
};

// The outbound proxy of one subscription (config/proxy.hpp). host "" = connect directly. http targets go
// through it as absolute-URI requests, https targets through a CONNECT tunnel (TLS still verified end to end
// against the target's name). NEVER print username or password: they come only from the environment.
struct proxy_settings {
  std::string host;  // IPv6 without brackets
  uint16_t port = 0;
  std::string username, password;
  std::string source;  // "proxy", "notify.proxy" or the environment variable's name (for check-config)
  // Set when an environment proxy variable is set but unusable: every attempt fails with this text instead
  // of connecting directly (which could bypass a proxy the network requires).
  std::string error;
  bool enabled() const { return !host.empty(); }
};

struct subscription_settings {
  // name: [a-z0-9_-]+, unique. url: as written, or the value of the url_env variable; only the HTTP client
  // reads it: anything shown to a person is redacted_url(target) (the path and query may be a credential).
  std::string name, url;
  parsed_url target;  // parsed url (empty when the url was invalid: then enabled == false)
  // Key "url_env" (instead of "url"): the NAME of the environment variable holding the url. "" = url key.
  std::string url_env;
  std::string secret_env;
  // Resolved from the env var: space-separated, newest first; NEVER print these.
  std::vector<std::string> secrets;
  // Optional key "github_secret_env": the NAME of a variable whose whole value (any string, spaces included,
  // nothing trimmed) keys x-hub-signature-256. Empty = that header is keyed by the oldest (last) of
  // `secrets`. NEVER print github_secret.
  std::string github_secret_env, github_secret;
  bool enabled = true, dry_run = false;
  std::vector<std::string> events{"spec-kit.task.transitioned"}, statuses{"Done"}, specs, tasks;
  signature_mode signature = signature_mode::standard;
  bool signature_configured = false;  // the subscription has its own signature key
  body_format format = body_format::standard;
  // Key "template": the template file (absolute after load; "" = none) and its text, read at load time
  // (config/template_file.hpp: bounded, regular file, no symlink, syntax checked). With a template, the body
  // is that template rendered over the payload v1 fields, whatever the format.
  std::string template_file, template_text;
  std::string content_type = "application/json";  // key "content_type": the content-type header sent
  // Whether deliveries carry HMAC signature headers (webhook-signature, x-hub-signature-256): a standard body
  // always; a chat flavour or a template only when the signature key is set. secret_env is required then.
  bool signed_body() const {
    return signature_configured || (format == body_format::standard && template_file.empty());
  }
  ordering_mode ordering = ordering_mode::task;
  int max_in_flight = 4;  // 1..256
  std::chrono::milliseconds timeout{10000};
  retry_settings retry;
  rate_limit_settings rate_limit;
  breaker_settings breaker;
  // Optional "ca_file" key: PEM bundle for https peer verification (absolute after load; "" = system CAs).
  std::string ca_file;
  // Key "allow_link_local": lets url target link-local / cloud-metadata addresses (169.254.0.0/16,
  // fe80::/10, fd00:ec2::254, metadata.google.internal), which are refused by default (docs/security.md).
  bool allow_link_local = false;
  // Key "proxy" ("http://host:port"; "" = direct, ignoring the environment), else [notify] proxy, else
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, as curl reads them.
  proxy_settings proxy;
  bool proxy_configured = false;  // the subscription has its own proxy key
  // Non-empty when disabled by validation (invalid URL) -- enabled is then false.
  std::string disabled_reason;
};

struct settings {
  std::string config_path;  // as given
  // Absolute and normalised after load: repo and state_dir relative to the config file's directory,
  // evidence_dir relative to repo. Defaults: ".", ".spec-notify",
  // "docs/SPEC-OPS-004-integrated-coder-hooks/evidence".
  std::filesystem::path repo, state_dir, evidence_dir;
  std::string admin = "127.0.0.1:7707";  // host:port; a non-loopback host needs admin_allow_remote
  bool admin_enabled = true;             // false when the config says admin = "off"
  bool admin_allow_remote = false;       // key "admin_allow_non_loopback"
  std::string metrics;                   // host:port; "" = off
  std::optional<proxy_settings> proxy;   // key "proxy" of [notify]: every subscription without its own
  std::chrono::milliseconds dead_letter_retention{std::chrono::hours(7 * 24)};
  int64_t evidence_max_bytes_per_spec = 5242880;
  std::chrono::milliseconds poll_interval{1000};  // key "poll_interval": full-rescan safety net
  // Per-change cost caps (untrusted repo content): rows read from one task file, events from one diff.
  // Past a cap: one warning naming the file; everything under the cap is still delivered.
  int64_t max_task_rows = 50000;        // key "max_task_rows", 1..10,000,000
  int64_t max_events_per_diff = 20000;  // key "max_events_per_diff", 1..10,000,000
  std::vector<subscription_settings> subscriptions;
};

struct config_problem {
  std::string file;
  int line = 0, col = 0;  // 1-based; 0 when the problem has no position (e.g. unreadable file)
  std::string message;
  bool warning = false;
  // "file:line:col: error: message" or "file:line:col: warning: message" ("file: error: ..." without line).
  std::string to_string() const;
};

struct load_result {
  settings value;  // meaningful only when ok(); filled as far as validation got otherwise
  std::vector<config_problem> problems;  // in file order (errors and warnings interleaved)
  bool ok() const;                       // no errors (warnings allowed)
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the real process environment (std::getenv).
env_lookup process_env();

// Loads `path` (relative paths inside resolve against its directory). A missing or unreadable file is one
// error naming the path.
load_result load_settings_file(const std::string& path, const env_lookup& env);

// Same validation for in-memory text; `name` is used in problems and as config_path, `base_dir` replaces the
// config file's directory (made absolute against the current directory when relative).
load_result load_settings_text(std::string_view toml_text, const std::string& name,
                               const std::string& base_dir, const env_lookup& env);

// Every accepted key, dotted: notify.repo, notify.subscriptions.name,
// notify.subscriptions.retry.max_attempts...
std::vector<std::string> known_keys();

// The canonical spellings used in config, payloads and logs.
std::string_view to_string(signature_mode mode);
std::string_view to_string(ordering_mode mode);
std::string_view to_string(body_format format);  // "standard", "slack", "discord", "teams", "google-chat"

}  // namespace spec_notify::config
