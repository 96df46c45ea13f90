#include "config/subscription_loader.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "config/duration.hpp"
#include "config/keys.hpp"
#include "config/proxy.hpp"
#include "config/secret.hpp"
#include "config/template_file.hpp"

namespace spec_notify::config::detail {
namespace {

using namespace std::chrono_literals;

// Per-key ceilings, below the 100-year cap every duration has (docs/configuration.md).
constexpr std::chrono::milliseconds kMaxTimeout = 1h;
constexpr std::chrono::milliseconds kMaxBackoff = 24h;

template <size_t N>
std::vector<std::string_view> as_list(const std::string_view (&keys)[N]) {
  return {std::begin(keys), std::end(keys)};
}

template <size_t N>
std::string join(const std::string_view (&items)[N]) {
  std::string out;
  for (auto item : items) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::optional<std::string> check_event(const std::string& event) {
  for (auto known : keys::kEventTypes)
    if (event == known) return std::nullopt;
  return "unknown event type '" + event + "' (valid: " + join(keys::kEventTypes) + ")";
}

std::optional<std::string> check_status(const std::string& status) {
  for (auto known : keys::kStatuses)
    if (status == known) return std::nullopt;
  std::string message = "'" + status + "' is not a canonical status";
  if (auto guess = closest_match(status, as_list(keys::kStatuses)); !guess.empty())
    message += "; did you mean '" + guess + "'?";
  return message + " (valid: " + join(keys::kStatuses) + ")";
}

std::optional<std::string> check_glob(const std::string& glob) {
  if (glob.empty()) return std::string("empty pattern (omit the key or use [] to match everything)");
  return std::nullopt;
}

// The label everything else in this subscription is reported under.
std::string read_name(toml_reader& r, const scope& s, size_t index, subscription_settings& sub) {
  std::string fallback = "subscription #" + std::to_string(index + 1) + ": ";
  if (!r.require(scope{s.table, fallback, "", s.header}, "name")) return fallback;
  if (!r.get_string(scope{s.table, fallback, "", s.header}, "name", sub.name)) return fallback;
  if (!valid_subscription_name(sub.name)) {
    r.error(
        s.table.get("name")->source(),
        fallback + "name '" + sub.name + "' is invalid: use only lower-case letters, digits, '_' and '-'");
    return fallback;
  }
  return "subscription '" + sub.name + "': ";
}

// The url_env variable's value, or nullopt after an error at the url_env key. The value is never put into a
// message, not even in part: only the variable's name and what is wrong with it.
std::optional<std::string> read_url_env(toml_reader& r, const scope& s, subscription_settings& sub,
                                        const env_lookup& env) {
  if (!r.get_string(s, "url_env", sub.url_env)) return std::nullopt;
  const auto& where = s.table.get("url_env")->source();
  if (!valid_env_name(sub.url_env)) {
    // A pasted URL is the likely mistake: say so without echoing it.
    bool looks_like_url = sub.url_env.find("://") != std::string::npos;
    sub.url_env.clear();
    r.error(where,
            s.label + (looks_like_url ? "url_env holds what looks like a URL; it must be the NAME of an "
                                        "environment variable that holds the URL (or use url)"
                                      : "url_env must be an environment variable name (letters, digits "
                                        "and '_', not starting with a digit)"));
    return std::nullopt;
  }
  std::string var = "environment variable " + sub.url_env + " (url_env)";
  std::optional<std::string> value = env ? env(sub.url_env) : std::nullopt;
  if (!value) {
    r.error(where, s.label + var + " is not set");
    return std::nullopt;
  }
  if (value->empty()) {
    r.error(where, s.label + var + " is empty");
    return std::nullopt;
  }
  return value;
}

// A link-local or metadata target is an error, not a warning like a malformed url: it is almost always an
// attempt (or a mistake) that would hand signed payloads, or credentials in a response, to the wrong party.
// A url from url_env that does not parse is an error too (not a warning that disables the subscription):
// like an invalid secret it is a broken deployment, and the variable is where to look.
void read_url(toml_reader& r, const scope& s, subscription_settings& sub, const env_lookup& env) {
  r.get_bool(s, "allow_link_local", sub.allow_link_local);
  const toml::node* literal = s.table.get("url");
  const toml::node* from_env = s.table.get("url_env");
  if (literal && from_env) {
    r.error(from_env->source(), s.label +
                                    "url and url_env are both set; set exactly one (url_env names the "
                                    "environment variable holding the URL)");
    return;
  }
  if (!literal && !from_env) {
    r.error(s.table.source(), s.label +
                                  "missing required key 'url' (or 'url_env', the name of an environment "
                                  "variable holding the URL)");
    return;
  }
  const auto& where = (literal ? literal : from_env)->source();
  result<parsed_url> parsed = status::failure("no url");
  if (from_env) {
    std::optional<std::string> value = read_url_env(r, s, sub, env);
    if (!value) return;
    sub.url = std::move(*value);
    parsed = parse_secret_url(sub.url);
    if (!parsed) {
      sub.url.clear();
      r.error(where, s.label + "environment variable " + sub.url_env +
                         " (url_env) is not a valid URL: " + parsed.message());
      return;
    }
  } else {
    if (!r.get_string(s, "url", sub.url)) return;
    parsed = parse_url(sub.url);
  }
  if (parsed) {
    sub.target = std::move(*parsed);
    if (std::string forbidden = forbidden_target_reason(sub.target.host);
        !forbidden.empty() && !sub.allow_link_local)
      r.error(where, s.label + (from_env ? "url from " + sub.url_env + " (url_env)" : std::string("url")) +
                         " target refused: " + forbidden +
                         "; set allow_link_local = true in this subscription if that is really intended");
    return;
  }
  sub.enabled = false;
  sub.disabled_reason = "invalid url: " + parsed.message();
  r.warning(where, s.label + "invalid url, subscription disabled: " + parsed.message());
}

// Never puts the variable's value into a message: only its name and the position of a bad secret.
// Unsigned bodies (a chat format or a template without a signature key) need no secret: the key may be
// left out; given anyway, it is validated like any other and reported unused.
void read_secrets(toml_reader& r, const scope& s, subscription_settings& sub, const env_lookup& env) {
  const bool signing = sub.signed_body();
  if (!signing && !s.table.get("secret_env")) return;
  if (!r.require(s, "secret_env") || !r.get_string(s, "secret_env", sub.secret_env)) return;
  const auto& where = s.table.get("secret_env")->source();
  if (!signing)
    r.warning(where, s.label + "secret_env is unused: a " +
                         std::string(sub.template_file.empty() ? "chat format" : "template") +
                         " is sent without signature headers unless the signature key is set");
  bool looks_like_secret = sub.secret_env.rfind(kSecretPrefix, 0) == 0;
  if (looks_like_secret || !valid_env_name(sub.secret_env)) {
    sub.secret_env.clear();
    r.error(where,
            s.label + (looks_like_secret
                           ? "secret_env holds what looks like a secret; it must be the NAME of an "
                             "environment variable that holds the secret"
                           : "secret_env must be an environment variable name (letters, digits and '_', "
                             "not starting with a digit)"));
    return;
  }
  std::string var = "environment variable " + sub.secret_env;
  std::optional<std::string> value = env ? env(sub.secret_env) : std::nullopt;
  if (!value) {
    r.error(where, s.label + var + " (secret_env) is not set");
    return;
  }
  std::vector<std::string> secrets = split_secrets(*value);
  if (secrets.empty()) {
    r.error(where, s.label + var + " (secret_env) is empty");
    return;
  }
  bool all_valid = true;
  for (size_t i = 0; i < secrets.size(); ++i) {
    auto key = decode_whsec(secrets[i]);
    if (key) continue;
    all_valid = false;
    r.error(where, s.label + "secret " + std::to_string(i + 1) + " of " + std::to_string(secrets.size()) +
                       " in " + var + " is not a valid whsec_ secret: " + key.message());
  }
  if (all_valid) sub.secrets = std::move(secrets);
}

// GitHub-style secrets are arbitrary strings (GitHub's own example: "It's a Secret to Everybody"), so the
// value is taken whole: never split on white space, never trimmed. Runs after read_delivery (needs the mode).
void read_github_secret(toml_reader& r, const scope& s, subscription_settings& sub, const env_lookup& env) {
  if (!s.table.get("github_secret_env") || !r.get_string(s, "github_secret_env", sub.github_secret_env))
    return;
  const auto& where = s.table.get("github_secret_env")->source();
  if (!valid_env_name(sub.github_secret_env)) {
    sub.github_secret_env.clear();
    r.error(where, s.label +
                       "github_secret_env must be an environment variable name (letters, digits and '_', not "
                       "starting with a digit) whose value is the GitHub-style secret");
    return;
  }
  std::string var = "environment variable " + sub.github_secret_env;
  std::optional<std::string> value = env ? env(sub.github_secret_env) : std::nullopt;
  if (!value) {
    r.error(where, s.label + var + " (github_secret_env) is not set");
    return;
  }
  if (value->empty()) {
    r.error(where, s.label + var + " (github_secret_env) is empty");
    return;
  }
  sub.github_secret = std::move(*value);
  if (sub.signature == signature_mode::standard)
    r.warning(where, s.label +
                         "github_secret_env is unused with signature = \"standard\" (x-hub-signature-256 is "
                         "sent only with \"github\" or \"both\")");
}

// Keys "format", "template" and "content_type". Runs before read_secrets: whether a secret is required
// depends on them (subscription_settings::signed_body).
void read_format(toml_reader& r, const scope& s, subscription_settings& sub) {
  if (std::string name; r.get_string(s, "format", name)) {
    if (name == "standard")
      sub.format = body_format::standard;
    else if (name == "slack")
      sub.format = body_format::slack;
    else if (name == "discord")
      sub.format = body_format::discord;
    else if (name == "teams")
      sub.format = body_format::teams;
    else if (name == "google-chat")
      sub.format = body_format::google_chat;
    else
      r.error(s.table.get("format")->source(),
              s.label + "format must be one of " + join(keys::kFormats) + ", got '" + name + "'");
  }
  if (std::string type; r.get_string(s, "content_type", type)) {
    // A header value: printable ASCII only (no CR/LF that would inject headers), "type/subtype[; params]".
    bool printable = !type.empty() && type.size() <= 200 &&
                     std::all_of(type.begin(), type.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (!printable || type.find('/') == std::string::npos || type.front() == ' ')
      r.error(s.table.get("content_type")->source(),
              s.label +
                  "content_type must be a media type such as \"application/json\" or \"text/plain; "
                  "charset=utf-8\" (printable ASCII, at most 200 characters)");
    else
      sub.content_type = type;
  }
}

// The template file is relative to the config file's directory. It is read now, once: serve, SIGHUP and
// check-config see the same text the router renders, and a broken file is a configuration error.
void read_template(toml_reader& r, const scope& s, subscription_settings& sub,
                   const std::filesystem::path& base_dir) {
  std::string given;
  if (!r.get_string(s, "template", given)) return;
  const auto& where = s.table.get("template")->source();
  if (given.empty()) {
    r.error(where, s.label + "template must be the path of a Mustache file (omit the key for none)");
    return;
  }
  sub.template_file = (base_dir / given).lexically_normal().string();
  std::string why;
  if (!read_template_file(sub.template_file, sub.template_text, why)) {
    r.error(where, s.label + "template '" + sub.template_file + "' " + why);
    sub.template_text.clear();
    return;
  }
  if (auto bad = check_template_syntax(sub.template_text)) {
    config_problem p;
    p.file = sub.template_file;
    p.line = bad->line;
    p.col = bad->col;
    p.message = s.label + "template syntax error: " + bad->message;
    r.add_problem(std::move(p));
  }
}

void read_filters(toml_reader& r, const scope& s, subscription_settings& sub) {
  if (r.get_strings(s, "events", sub.events, check_event) && sub.events.empty())
    r.error(s.table.get("events")->source(),
            s.label + "events must not be empty (valid: " + join(keys::kEventTypes) + ")");
  bool statuses_given = r.get_strings(s, "statuses", sub.statuses, check_status);
  bool task_events = std::find(sub.events.begin(), sub.events.end(), keys::kTaskEvent) != sub.events.end();
  if (statuses_given && sub.statuses.empty() && task_events)
    r.error(s.table.get("statuses")->source(),
            s.label + "statuses must not be empty for " + std::string(keys::kTaskEvent) + " events");
  r.get_strings(s, "specs", sub.specs, check_glob);
  r.get_strings(s, "tasks", sub.tasks, check_glob);
}

void read_delivery(toml_reader& r, const scope& s, subscription_settings& sub,
                   const std::filesystem::path& base_dir) {
  if (std::string mode; r.get_string(s, "signature", mode)) {
    if (mode == "standard") {
      sub.signature = signature_mode::standard;
    } else if (mode == "github") {
      sub.signature = signature_mode::github;
    } else if (mode == "both") {
      sub.signature = signature_mode::both;
    } else {
      r.error(s.table.get("signature")->source(),
              s.label + "signature must be one of " + join(keys::kSignatureModes) + ", got '" + mode + "'");
    }
  }
  if (std::string mode; r.get_string(s, "ordering", mode)) {
    if (mode == "task")
      sub.ordering = ordering_mode::task;
    else if (mode == "spec")
      sub.ordering = ordering_mode::spec;
    else if (mode == "none")
      sub.ordering = ordering_mode::none;
    else
      r.error(s.table.get("ordering")->source(),
              s.label + "ordering must be one of " + join(keys::kOrderingModes) + ", got '" + mode + "'");
  }
  if (int64_t n = 0; r.get_int(s, "max_in_flight", 1, 256, n)) sub.max_in_flight = static_cast<int>(n);
  r.get_duration(s, "timeout", false, sub.timeout, kMaxTimeout);
  if (r.get_string(s, "ca_file", sub.ca_file)) {
    std::filesystem::path p = (base_dir / sub.ca_file).lexically_normal();
    std::error_code ec;
    if (sub.ca_file.empty() || !std::filesystem::is_regular_file(p, ec)) {
      r.error(s.table.get("ca_file")->source(),
              s.label + "ca_file '" + p.string() + "' is not a readable file");
    }
    sub.ca_file = p.string();
  }
}

void read_retry(toml_reader& r, const scope& parent, retry_settings& retry) {
  const toml::node* node = parent.table.get("retry");
  if (!node) return;
  const toml::table* table = node->as_table();
  if (!table) {
    r.error(node->source(), parent.label + "retry must be a table ([notify.subscriptions.retry])");
    return;
  }
  scope s{*table, parent.label, "retry.", "[notify.subscriptions.retry]"};
  r.reject_unknown_keys(s, as_list(keys::kRetry));
  if (int64_t n = 0; r.get_int(s, "max_attempts", 1, 100, n)) retry.max_attempts = static_cast<int>(n);
  bool have_initial = r.get_duration(s, "initial_backoff", false, retry.initial_backoff, kMaxBackoff);
  bool have_max = r.get_duration(s, "max_backoff", false, retry.max_backoff, kMaxBackoff);
  if (double m = 0; r.get_number(s, "multiplier", m)) {
    if (m < 1.0 || m > 100.0) {
      r.error(table->get("multiplier")->source(),
              s.key("multiplier") + (m < 1.0 ? " must be at least 1.0" : " must be at most 100.0"));
    } else {
      retry.multiplier = m;
    }
  }
  if (retry.initial_backoff > retry.max_backoff) {
    const toml::node* at = have_initial ? table->get("initial_backoff")
                           : have_max   ? table->get("max_backoff")
                                        : node;
    r.error(at->source(), s.key("initial_backoff") + " (" + format_duration(retry.initial_backoff) +
                              ") must not exceed " + s.key_prefix + "max_backoff (" +
                              format_duration(retry.max_backoff) + ")");
  }
}

// "N/s", "N/m", "N/h" (N: 1..1,000,000); spaces around the parts are allowed.
bool parse_rate(const std::string& text, rate_limit_settings& out) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto trim = [](std::string v) {
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  };
  std::string n = trim(text.substr(0, slash)), unit = trim(text.substr(slash + 1));
  if (n.empty() || n.size() > 7 ||
      !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int64_t count = std::stoll(n);
  if (count < 1 || count > 1000000) return false;
  if (unit == "s")
    out.per = 1s;
  else if (unit == "m")
    out.per = 1min;
  else if (unit == "h")
    out.per = 1h;
  else
    return false;
  out.count = count;
  return true;
}

void read_rate_limit(toml_reader& r, const scope& s, rate_limit_settings& rate) {
  if (std::string text; r.get_string(s, "rate_limit", text)) {
    if (!parse_rate(text, rate))
      r.error(s.table.get("rate_limit")->source(),
              s.key("rate_limit") +
                  " must be \"N/s\", \"N/m\" or \"N/h\" with N in 1..1000000 (e.g. \"1/s\", "
                  "\"60/m\"), got '" +
                  text + "'");
  }
  int64_t burst = 0;
  if (!r.get_int(s, "rate_limit_burst", 1, 1000000, burst)) return;
  const auto& where = s.table.get("rate_limit_burst")->source();
  if (!rate.enabled()) {
    r.error(where, s.key("rate_limit_burst") + " needs rate_limit");
  } else if (burst > rate.count) {
    r.error(where, s.key("rate_limit_burst") + " (" + std::to_string(burst) +
                       ") must not exceed the count of " + "rate_limit (" + std::to_string(rate.count) + ")");
  } else {
    rate.burst = burst;
  }
}

// Runs after read_retry: the default of `failures` and its warning depend on max_attempts.
void read_breaker(toml_reader& r, const scope& parent, int max_attempts, breaker_settings& breaker) {
  const toml::node* node = parent.table.get("breaker");
  if (!node) return;
  const toml::table* table = node->as_table();
  if (!table) {
    r.error(node->source(), parent.label + "breaker must be a table ([notify.subscriptions.breaker])");
    return;
  }
  scope s{*table, parent.label, "breaker.", "[notify.subscriptions.breaker]"};
  r.reject_unknown_keys(s, as_list(keys::kBreaker));
  breaker.enabled = true;
  breaker.failures = std::min(5, max_attempts);
  if (int64_t n = 0; r.get_int(s, "failures", 1, 100, n)) {
    breaker.failures = static_cast<int>(n);
    if (n > max_attempts)
      r.warning(table->get("failures")->source(),
                s.key("failures") + " (" + std::to_string(n) + ") exceeds retry.max_attempts (" +
                    std::to_string(max_attempts) +
                    "): a delivery failing alone is dead-lettered before the circuit opens");
  }
  r.get_duration(s, "after", false, breaker.after, kMaxBackoff);
  r.get_duration(s, "probe", false, breaker.probe, kMaxTimeout);
}

// The subscription's own proxy key; the [notify] one and the environment are applied by settings.cpp.
void read_proxy(toml_reader& r, const scope& s, subscription_settings& sub) {
  std::string text;
  if (!r.get_string(s, "proxy", text)) return;
  sub.proxy_configured = true;
  if (text.empty()) return;  // explicitly direct
  auto p = parse_proxy(text);
  if (!p) {
    r.error(s.table.get("proxy")->source(), s.key("proxy") + ": " + p.message());
    return;
  }
  sub.proxy = std::move(*p);
  sub.proxy.source = "proxy";
}

}  // namespace

bool valid_subscription_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

subscription_settings load_subscription(toml_reader& reader, const toml::table& table, size_t index,
                                        const std::filesystem::path& base_dir, const env_lookup& env) {
  subscription_settings sub;
  scope s{table, "", "", "[[notify.subscriptions]]"};
  s.label = read_name(reader, s, index, sub);
  reader.reject_unknown_keys(s, as_list(keys::kSubscription), as_list(keys::kRetry),
                             "notify.subscriptions.retry");
  reader.get_bool(s, "enabled", sub.enabled);
  reader.get_bool(s, "dry_run", sub.dry_run);
  read_url(reader, s, sub, env);
  sub.signature_configured = table.get("signature") != nullptr;
  read_format(reader, s, sub);
  read_template(reader, s, sub, base_dir);
  read_secrets(reader, s, sub, env);
  read_filters(reader, s, sub);
  read_delivery(reader, s, sub, base_dir);
  read_github_secret(reader, s, sub, env);
  read_retry(reader, s, sub.retry);
  read_rate_limit(reader, s, sub.rate_limit);
  read_breaker(reader, s, sub.retry.max_attempts, sub.breaker);
  read_proxy(reader, s, sub);
  return sub;
}

}  // namespace spec_notify::config::detail
