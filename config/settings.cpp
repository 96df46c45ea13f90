#include "config/settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "config/keys.hpp"
#include "config/proxy.hpp"
#include "config/subscription_loader.hpp"
#include "config/toml_limits.hpp"
#include "config/toml_reader.hpp"

namespace spec_notify::config {
namespace {

namespace fs = std::filesystem;
using detail::scope;
using detail::toml_reader;
using namespace std::chrono_literals;

// Per-key ceilings, below the 100-year cap every duration has (docs/configuration.md).
constexpr std::chrono::milliseconds kMaxRetention = 3650 * 24h;  // 10 years
constexpr std::chrono::milliseconds kMaxPollInterval = 24h;
constexpr int64_t kMaxCostCap = 10'000'000;  // max_task_rows, max_events_per_diff

template <size_t N>
std::vector<std::string_view> as_list(const std::string_view (&keys)[N]) {
  return {std::begin(keys), std::end(keys)};
}

// `rel` against `base`, normalised, without the trailing separator lexically_normal leaves after "." or "..".
fs::path resolve(const fs::path& base, const fs::path& rel) {
  fs::path p = (base / rel).lexically_normal();
  if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

void read_path(toml_reader& r, const scope& s, std::string_view key, const fs::path& base, fs::path& out) {
  std::string text;
  if (r.get_string(s, key, text) && text.empty()) {
    r.error(s.table.get(key)->source(), s.key(key) + " must not be empty");
  } else if (!text.empty()) {
    out = text;
  }
  out = resolve(base, out);
}

void read_metrics(toml_reader& r, const scope& s, std::string& out) {
  if (!r.get_string(s, "metrics", out) || out.empty()) return;  // "" = no metrics endpoint
  if (auto parsed = parse_host_port(out); !parsed)
    r.error(s.table.get("metrics")->source(), s.key("metrics") + ": " + parsed.message());
}

void read_admin(toml_reader& r, const scope& s, settings& cfg) {
  r.get_bool(s, "admin_allow_non_loopback", cfg.admin_allow_remote);
  if (!r.get_string(s, "admin", cfg.admin)) return;  // the default is loopback
  if (cfg.admin == "off") {
    cfg.admin_enabled = false;
    return;
  }
  const auto& where = s.table.get("admin")->source();
  auto admin = parse_host_port(cfg.admin);
  if (!admin) {
    r.error(where, s.key("admin") + ": " + admin.message());
  } else if (!cfg.admin_allow_remote && !is_loopback_host(admin->host)) {
    r.error(where,
            s.key("admin") + " '" + cfg.admin +
                "' is not a loopback address; set notify.admin_allow_non_loopback = true to expose the "
                "admin actor on the network");
  }
}

void read_subscriptions(toml_reader& r, const scope& s, const fs::path& base, const env_lookup& env,
                        settings& cfg) {
  const toml::node* node = s.table.get("subscriptions");
  if (!node) {
    r.warning(s.table.source(), "no [[notify.subscriptions]] configured: nothing will be delivered");
    return;
  }
  const toml::array* subs = node->as_array();
  if (!subs || !subs->is_array_of_tables()) {
    r.error(node->source(), "notify.subscriptions must be an array of tables ([[notify.subscriptions]])");
    return;
  }
  std::map<std::string, int> first_line;  // name -> line of its first definition
  for (size_t i = 0; i < subs->size(); ++i) {
    const toml::table& table = *subs->get(i)->as_table();
    cfg.subscriptions.push_back(detail::load_subscription(r, table, i, base, env));
    const std::string& name = cfg.subscriptions.back().name;
    if (!detail::valid_subscription_name(name)) continue;
    const toml::node* name_node = table.get("name");
    auto [it, inserted] = first_line.emplace(name, static_cast<int>(name_node->source().begin.line));
    if (!inserted)
      r.error(name_node->source(), "duplicate subscription name '" + name + "' (first defined on line " +
                                       std::to_string(it->second) + ")");
  }
}

void read_notify(toml_reader& r, const toml::table& notify, const fs::path& base, const env_lookup& env,
                 settings& cfg) {
  scope s{notify, "", "notify.", "[notify]"};
  r.reject_unknown_keys(s, as_list(keys::kNotify));
  cfg.repo = ".";
  cfg.state_dir = ".spec-notify";
  cfg.evidence_dir = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence";
  read_path(r, s, "repo", base, cfg.repo);
  read_path(r, s, "state_dir", base, cfg.state_dir);
  read_path(r, s, "evidence_dir", cfg.repo, cfg.evidence_dir);
  std::error_code ec;
  if (!fs::is_directory(cfg.repo, ec)) {
    const toml::node* at = notify.get("repo");
    r.warning(at ? at->source() : notify.source(),
              "notify.repo '" + cfg.repo.string() + "' is not an existing directory");
  }
  read_admin(r, s, cfg);
  read_metrics(r, s, cfg.metrics);
  r.get_duration(s, "dead_letter_retention", false, cfg.dead_letter_retention, kMaxRetention);
  r.get_int(s, "evidence_max_bytes_per_spec", 1, std::numeric_limits<int64_t>::max(),
            cfg.evidence_max_bytes_per_spec);
  r.get_duration(s, "poll_interval", false, cfg.poll_interval, kMaxPollInterval);
  r.get_int(s, "max_task_rows", 1, kMaxCostCap, cfg.max_task_rows);
  r.get_int(s, "max_events_per_diff", 1, kMaxCostCap, cfg.max_events_per_diff);
  if (std::string text; r.get_string(s, "proxy", text) && !text.empty()) {
    if (auto p = parse_proxy(text)) {
      p->source = "notify.proxy";
      cfg.proxy = std::move(*p);
    } else {
      r.error(notify.get("proxy")->source(), "notify.proxy: " + p.message());
    }
  }
  read_subscriptions(r, s, base, env, cfg);
  // Explicit configuration wins over the environment, as in curl: the subscription's key, then [notify]'s.
  for (auto& sub : cfg.subscriptions) {
    if (sub.proxy_configured || sub.target.host.empty()) continue;
    if (cfg.proxy) {
      sub.proxy = *cfg.proxy;
      continue;
    }
    auto p = proxy_from_env(sub.target, env);
    if (p && *p) sub.proxy = std::move(**p);
    // A warning, and every attempt of the subscription fails with it: never a direct connection that may
    // bypass a proxy the network requires. Not an error, and the subscription stays enabled, because
    // commands that only read the store load the config with stand-ins for unset variables.
    if (!p) {
      sub.proxy.error = p.message();
      r.warning(notify.source(),
                "subscription '" + sub.name + "': " + p.message() + "; its attempts fail until it is fixed");
    }
  }
}

}  // namespace

std::string config_problem::to_string() const {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(col);
  return where + (warning ? ": warning: " : ": error: ") + message;
}

bool load_result::ok() const {
  return std::none_of(problems.begin(), problems.end(), [](const config_problem& p) { return !p.warning; });
}

std::string_view to_string(signature_mode mode) {
  switch (mode) {
    case signature_mode::standard:
      return "standard";
    case signature_mode::github:
      return "github";
    case signature_mode::both:
      return "both";
  }
  return "standard";
}

std::string_view to_string(body_format format) {
  switch (format) {
    case body_format::standard:
      return "standard";
    case body_format::slack:
      return "slack";
    case body_format::discord:
      return "discord";
    case body_format::teams:
      return "teams";
    case body_format::google_chat:
      return "google-chat";
  }
  return "standard";
}

std::string_view to_string(ordering_mode mode) {
  switch (mode) {
    case ordering_mode::none:
      return "none";
    case ordering_mode::task:
      return "task";
    case ordering_mode::spec:
      return "spec";
  }
  return "task";
}

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    return std::nullopt;
  };
}

std::vector<std::string> known_keys() {
  std::vector<std::string> out;
  for (auto k : keys::kNotify) out.push_back("notify." + std::string(k));
  for (auto k : keys::kSubscription) out.push_back("notify.subscriptions." + std::string(k));
  for (auto k : keys::kRetry) out.push_back("notify.subscriptions.retry." + std::string(k));
  for (auto k : keys::kBreaker) out.push_back("notify.subscriptions.breaker." + std::string(k));
  return out;
}

load_result load_settings_file(const std::string& path, const env_lookup& env) {
  std::error_code ec;
  std::string why;
  if (!fs::exists(path, ec)) {
    why = "config file not found (pass --config FILE or set SPEC_NOTIFY_CONFIG)";
  } else if (!fs::is_regular_file(path, ec)) {
    why = "config path is not a regular file";
  } else if (auto size = fs::file_size(path, ec); !ec && size > detail::kMaxConfigBytes) {
    why = "config file is larger than 1 MiB (" + std::to_string(size) + " bytes)";
  }
  std::ifstream in(path, std::ios::binary);
  // At most one byte past the limit, so a file that grows while it is read is still caught (as text).
  std::string text(detail::kMaxConfigBytes + 1, '\0');
  if (why.empty()) {
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad() || (!in && !in.eof())) why = "cannot read config file";
    text.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  }
  if (!why.empty()) {
    load_result result;
    result.value.config_path = path;
    result.problems.push_back(config_problem{path, 0, 0, why + ": '" + path + "'", false});
    return result;
  }
  fs::path dir = fs::path(path).parent_path();
  return load_settings_text(text, path, dir.string(), env);
}

load_result load_settings_text(std::string_view toml_text, const std::string& name,
                               const std::string& base_dir, const env_lookup& env) {
  load_result result;
  result.value.config_path = name;
  std::error_code ec;
  fs::path base = base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec);
  // toml++ recurses per nesting level: pathological structure is refused before it gets there.
  if (auto problem = detail::check_toml_limits(toml_text, name)) {
    result.problems.push_back(std::move(*problem));
    return result;
  }
  toml::table doc;
  try {
    doc = toml::parse(toml_text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    // A syntax error makes every later position unreliable: report it alone.
    result.problems.push_back(config_problem{name, static_cast<int>(e.source().begin.line),
                                             static_cast<int>(e.source().begin.column),
                                             "TOML syntax error: " + std::string(e.description()), false});
    return result;
  }
  toml_reader reader(name, result.problems);
  const toml::node* notify = doc.get("notify");
  if (!notify) {
    result.problems.push_back(config_problem{name, 1, 1, "missing [notify] table", false});
  } else if (!notify->is_table()) {
    reader.error(notify->source(), "notify must be a table ([notify])");
  } else {
    read_notify(reader, *notify->as_table(), resolve(base, "."), env, result.value);
  }
  std::stable_sort(result.problems.begin(), result.problems.end(), [](const auto& a, const auto& b) {
    return std::pair(a.line, a.col) < std::pair(b.line, b.col);
  });
  return result;
}

}  // namespace spec_notify::config
