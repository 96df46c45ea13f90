// `spec-notify init [--repo DIR] [--url URL] [--subscription NAME] [--format standard] [--config F]
//                   [--env-file F | --no-env-file] [--force]`:
// the first five minutes. Scans the checkout the way the daemon will (test_sample.hpp scan_specs), writes a
// commented config.toml whose comments list the SPEC ids and task files found and whose filters take every
// one of those rows (narrowing examples use the real ids), creates a fresh secret in a 0600 env file (or
// prints the export line), validates the result with the daemon's own loader, and prints the next three
// commands. An existing config is never overwritten without --force; an existing env file that already holds
// the variable is kept (the receiver may already use that secret). Exit 0 ok, 1 write failure, 2 usage.
// The secret goes only to the env file (0600) or, with --no-env-file, to stdout; never to the config.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "actors/deliverer/signature.hpp"
#include "actors/differ/spec_key.hpp"
#include "actors/differ/status.hpp"
#include "actors/log.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/test_sample.hpp"
#include "config/settings.hpp"
#include "config/url.hpp"

namespace spec_notify::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kUsage =
    "spec-notify init [--repo DIR] [--url URL] [--subscription NAME] [--format standard] [--config F]\n"
    "                        [--env-file F | --no-env-file] [--force]";
constexpr const char* kSummary =
    "Writes a commented config for the Spec Kit checkout DIR (default: the current directory): the SPEC\n"
    "ids and task files found are listed in comments, the filters take every task row found, and the one\n"
    "subscription (default chatops) starts as a dry run. A fresh whsec_ secret goes to a 0600 env file next\n"
    "to the config (spec-notify.env; kept if it already defines the variable), or with --no-env-file is\n"
    "printed as an export line. Then prints the next three commands. Refuses to overwrite an existing "
    "config\n"
    "without --force. URL defaults to the local verifying receiver (spec-notify receive --listen\n"
    "127.0.0.1:8080). --format: the payload format; only \"standard\" (payload v1, Standard Webhooks\n"
    "signatures) exists so far.";
constexpr const char* kDefaultUrl = "http://127.0.0.1:8080/hooks/spec";

const std::vector<option_spec> kSpecs = {
    {"repo", true, false, "the Spec Kit checkout to watch (default: .)"},
    {"url", true, false, std::string("webhook endpoint (default: ") + kDefaultUrl + ")"},
    {"subscription", true, false, "subscription name, [a-z0-9_-]+ (default: chatops)"},
    {"format", true, false, "payload format: standard (the only one so far)"},
    {"config", true, false, "config file to write (default: $SPEC_NOTIFY_CONFIG, else ./config.toml)"},
    {"env-file", true, false, "env file for the secret (default: spec-notify.env next to the config)"},
    {"no-env-file", false, false, "print the export line instead of writing an env file"},
    {"force", false, false, "overwrite an existing config"},
    {"help", false, false, "show this help"},
};

struct init_request {
  fs::path repo, config, env_file;  // as given (relative to the current directory)
  std::string url, name, secret_env;
  bool env_file_wanted = true, force = false;
};

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '-')) return false;
  return true;
}

std::string secret_env_for(const std::string& name) {
  std::string out = "SPEC_NOTIFY_";
  for (unsigned char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out + "_SECRET";
}

// A TOML basic string.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// For printed commands: plain words as they are, anything else single-quoted.
std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::strchr("/._-+=:,@%~", c))) plain = false;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The repo as the config should name it: relative to the config's directory when inside it, else absolute.
std::string repo_for_config(const fs::path& repo_abs, const fs::path& config_dir) {
  auto rel = repo_abs.lexically_relative(config_dir);
  if (rel.empty() || *rel.begin() == "..") return repo_abs.string();
  return rel.string();
}

// "4 rows: 1 In Progress, 3 Backlog" for the rows of one file.
std::string row_summary(const std::vector<const spec_task*>& rows) {
  std::map<std::string, int> counts;
  for (const auto* t : rows) ++counts[differ::canonical_name(t->row.status)];
  std::string out = std::to_string(rows.size()) + (rows.size() == 1 ? " row: " : " rows: ");
  bool first = true;
  for (const auto& [status, n] : counts) {
    out += (first ? "" : ", ") + std::to_string(n) + " " + status;
    first = false;
  }
  return out;
}

// The SPEC id to suggest for --test: its short key when that names it alone, else the full id.
std::string test_spec_arg(const spec_catalog& catalog) {
  if (catalog.spec_ids.empty()) return "SPEC-ID";
  const auto& id = catalog.spec_ids.front();
  auto key = differ::spec_key(id);
  return match_spec(catalog, key).size() == 1 ? key : id;
}

std::string render_config(const init_request& req, const fs::path& repo_abs, const spec_catalog& catalog) {
  auto esc = [](const std::string& s) { return logging::escape_controls(s); };  // repo text in comments
  std::ostringstream o;
  o << "# spec-notify configuration, written by `spec-notify init`. Every key: docs/configuration.md.\n"
    << "# Validate with: spec-notify check-config"
    << "\n"
    << "#\n# Watched checkout: " << esc(repo_abs.string()) << "\n";
  std::vector<std::string> files;
  std::map<std::string, std::vector<const spec_task*>> rows_by_file;
  for (const auto& t : catalog.tasks) {
    if (!rows_by_file.count(t.source)) files.push_back(t.source);
    rows_by_file[t.source].push_back(&t);
  }
  if (catalog.spec_ids.empty() && files.empty()) {
    o << "# No SPEC and no task file found there yet (the daemon watches SPEC.md and "
         "docs/<SPEC-ID>/tasks.md\n"
      << "# and picks up files created later).\n";
  } else {
    o << "# SPEC ids found (" << catalog.spec_ids.size() << "):\n";
    for (const auto& id : catalog.spec_ids)
      o << "#   " << esc(id) << "  (key " << esc(differ::spec_key(id)) << ")\n";
    o << "# Task files found (" << files.size() << "), " << catalog.tasks.size() << " task rows:\n";
    for (const auto& f : files) o << "#   " << esc(f) << ": " << esc(row_summary(rows_by_file[f])) << "\n";
  }
  const std::string example_spec =
      catalog.spec_ids.empty() ? "SPEC-KIT-075" : differ::spec_key(catalog.spec_ids.front());
  const std::string example_task = catalog.tasks.empty() ? "T1" : catalog.tasks.front().row.id;
  o << "\n[notify]\n"
    << "repo = " << toml_string(repo_for_config(repo_abs, fs::absolute(req.config).parent_path()))
    << "   # the Spec Kit checkout (relative to this file's directory)\n"
    << "state_dir = \".spec-notify\"     # spool, dead letters, last-seen task states (relative to this "
       "file)\n"
    << "admin = \"127.0.0.1:7707\"       # spec-notify admin / --list / --replay reach the running daemon "
       "here\n"
    << "\n[[notify.subscriptions]]\n"
    << "name = " << toml_string(req.name) << "\n"
    << "url = " << toml_string(req.url) << "\n"
    << "secret_env = " << toml_string(req.secret_env)
    << "   # the variable's NAME; its value is never in this file"
    << (req.env_file_wanted ? " (it is in " + esc(req.env_file.string()) + ", mode 0600)" : "") << "\n"
    << "dry_run = true                 # sign and record in the evidence only; set to false to send\n"
    << "events = [\"spec-kit.task.transitioned\"]   # also: spec-auto.stage.completed, "
       "spec-auto.pipeline.completed\n"
    << "statuses = [\"Done\"]            # target statuses: Done, In Review, In Progress, Blocked, Backlog, "
       "Other\n"
    << "specs = []                     # every SPEC above; to narrow: specs = ["
    << toml_string(esc(example_spec) + "*") << "]\n"
    << "tasks = []                     # every task row above; to narrow: tasks = ["
    << toml_string(esc(example_task)) << "] (a prefix) or a glob\n"
    << "signature = \"standard\"         # Standard Webhooks; \"both\" adds GitHub-style "
       "x-hub-signature-256\n";
  return o.str();
}

std::string source_command(const fs::path& env_file) {
  std::string p = env_file.string();
  if (p.find('/') == std::string::npos) p = "./" + p;  // `. name` would search $PATH
  return ". " + shell_word(p);
}

// Reads `path` (an env file) and tells whether it already assigns `var`.
bool env_file_defines(const fs::path& path, const std::string& var) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto at = line.find_first_not_of(" \t");
    if (at == std::string::npos) continue;
    std::string_view l(line.c_str() + at);
    if (l.rfind("export ", 0) == 0) l.remove_prefix(7);
    if (l.rfind(var + "=", 0) == 0) return true;
  }
  return false;
}

// Creates (O_EXCL, 0600 whatever the umask) or appends to the env file. "" on success, else why not.
std::string write_env_file(const fs::path& path, const std::string& line, bool& created) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  created = fd >= 0;
  if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::strerror(errno);
  std::string text =
      created ? "# spec-notify secrets (written by spec-notify init). Load with: " + source_command(path) +
                    "\n# Keep this file private (mode 0600) and out of git.\n" + line
              : line;
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  std::string err = ok ? "" : std::strerror(errno);
  if (::close(fd) != 0 && err.empty()) err = std::strerror(errno);
  return err;
}

// The config through a temp file + rename, so a failed write never leaves half a config.
std::string write_config(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".init-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return "cannot write " + tmp.string();
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return "cannot rename into " + path.string();
  }
  return "";
}

// Parses and checks the options; returns -1 to go on, else the exit code.
int parse_request(const arg_list& args, init_request& req) {
  parsed_args a;
  std::string err;
  if (!parse_args(args, kSpecs, a, err)) {
    std::cerr << "spec-notify init: " << err << "\nusage: " << kUsage << "\n";
    return 2;
  }
  if (a.has("help")) {
    print_help(std::cout, kUsage, kSummary, kSpecs);
    return 0;
  }
  if (!a.positional.empty()) {
    std::cerr << "spec-notify init: unexpected argument '" << a.positional.front() << "'\nusage: " << kUsage
              << "\n";
    return 2;
  }
  if (auto format = a.get("format", "standard"); format != "standard") {
    std::cerr << "spec-notify init: --format " << format
              << ": not supported; the only payload format so far is \"standard\" (payload v1 with Standard "
                 "Webhooks signatures)\n";
    return 2;
  }
  req.repo = a.get("repo", ".");
  req.url = a.get("url", kDefaultUrl);
  req.name = a.get("subscription", "chatops");
  req.config = config_path_from(a);
  req.force = a.has("force");
  req.env_file_wanted = !a.has("no-env-file");
  if (a.has("no-env-file") && a.has("env-file")) {
    std::cerr << "spec-notify init: --env-file and --no-env-file exclude each other\n";
    return 2;
  }
  req.env_file =
      a.has("env-file") ? fs::path(a.get("env-file")) : req.config.parent_path() / "spec-notify.env";
  if (!valid_name(req.name)) {
    std::cerr << "spec-notify init: --subscription '" << logging::escape_controls(req.name)
              << "': use lower-case letters, digits, '_' and '-'\n";
    return 2;
  }
  req.secret_env = secret_env_for(req.name);
  if (auto parsed = config::parse_url(req.url); !parsed) {
    std::cerr << "spec-notify init: --url: " << parsed.message() << "\n";
    return 2;
  }
  std::error_code ec;
  if (!fs::is_directory(req.repo, ec)) {
    std::cerr
        << "spec-notify init: --repo " << req.repo.string()
        << " is not a directory (a Spec Kit checkout; deploy/topology.sh sample-repo DIR writes a sample "
           "one)\n";
    return 2;
  }
  if (fs::exists(fs::symlink_status(req.config, ec)) && !req.force) {
    std::cerr << "spec-notify init: " << req.config.string()
              << " exists; not overwriting it (--force replaces it, --config F writes elsewhere)\n";
    return 2;
  }
  return -1;
}

// Writes the config after validating it with the daemon's loader against `secret`; returns the exit code.
int write_checked_config(const init_request& req, const std::string& text, const std::string& secret) {
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == req.secret_env) return secret;
    return config::process_env()(name);
  };
  auto dir = fs::absolute(req.config).parent_path();
  auto checked = config::load_settings_text(text, req.config.string(), dir.string(), env);
  if (!checked.ok()) {  // a bug in init, never the user's fault: say so and write nothing
    for (const auto& p : checked.problems) std::cerr << p.to_string() << "\n";
    std::cerr << "spec-notify init: the generated config does not validate (a bug); nothing written\n";
    return 1;
  }
  if (auto err = write_config(req.config, text); !err.empty()) {
    std::cerr << "spec-notify init: " << err << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int run_init(const arg_list& args, const std::string& self) {
  init_request req;
  if (int rc = parse_request(args, req); rc >= 0) return rc;
  std::error_code ec;
  const fs::path repo_abs = fs::weakly_canonical(fs::absolute(req.repo), ec).lexically_normal();
  auto catalog = scan_specs(repo_abs);
  for (const auto& p : catalog.problems) std::cerr << "spec-notify init: warning: " << p << "\n";

  const bool keep_secret = req.env_file_wanted && env_file_defines(req.env_file, req.secret_env);
  std::string secret;
  try {
    secret = deliverer::new_secret();
  } catch (const std::exception& e) {
    std::cerr << "spec-notify init: " << e.what() << "\n";
    return 1;
  }
  const std::string text = render_config(req, repo_abs, catalog);
  // A kept secret is not read back: any valid whsec_ validates the generated file the same way.
  if (int rc = write_checked_config(req, text, secret); rc != 0) return rc;

  std::cout << "wrote " << req.config.string() << " for " << logging::escape_controls(repo_abs.string())
            << ": " << catalog.spec_ids.size() << " SPEC(s), " << catalog.tasks.size() << " task row(s)\n";
  if (catalog.tasks.empty())
    std::cerr << "spec-notify init: warning: no task rows under " << repo_abs.string()
              << " (SPEC.md or docs/<SPEC-ID>/tasks.md); is --repo a Spec Kit checkout? "
                 "(deploy/topology.sh sample-repo DIR writes a sample one)\n";
  // Redacted like every URL the tools print (the file holds it whole): a path may carry a token.
  std::cout << "  subscription " << req.name << " -> " << config::redacted_url_text(req.url)
            << " (dry_run = true), secret in $" << req.secret_env << "\n";
  const std::string export_line = "export " + req.secret_env + "=" + secret + "\n";
  if (!req.env_file_wanted) {
    std::cout << "the secret (put it in your secret store; the receiver needs the same value):\n"
              << export_line;
  } else if (keep_secret) {
    std::cout << "kept " << req.env_file.string() << ": it already defines " << req.secret_env << "\n";
  } else {
    bool created = false;
    if (auto err = write_env_file(req.env_file, export_line, created); !err.empty()) {
      std::cerr << "spec-notify init: cannot write " << req.env_file.string() << ": " << err
                << "; the config is written, set the variable yourself:\n"
                << export_line;
      return 1;
    }
    std::cout << (created ? "wrote " : "added the secret to ") << req.env_file.string()
              << " (mode 0600): a fresh secret in " << req.secret_env << "\n";
  }
  std::string bin = self.find('/') == std::string::npos ? "spec-notify" : self;
  std::string cfg = req.config == "config.toml" && !std::getenv("SPEC_NOTIFY_CONFIG")
                        ? ""
                        : " --config " + shell_word(req.config.string());
  std::cout << "next:\n"
            << "  " << (req.env_file_wanted ? source_command(req.env_file) + " && " : "") << bin
            << " check-config" << cfg << "\n"
            << "  " << bin << " --test " << test_spec_arg(catalog) << " --subscription " << req.name << cfg
            << "   # dry run: signed sample to evidence\n"
            << "  " << bin << " serve" << cfg << "   # after setting dry_run = false to send for real\n";
  if (auto url = config::parse_url(req.url); url && config::is_loopback_host(url->host))
    std::cout << "a verifying receiver for this url: " << bin << " receive --listen "
              << (url->host.find(':') == std::string::npos ? url->host : "[" + url->host + "]") << ":"
              << url->port << " --secret-env " << req.secret_env << "\n";
  return 0;
}

}  // namespace spec_notify::app
