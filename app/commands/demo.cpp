// `spec-notify demo`: a self-contained run of the real thing in a temp dir: a sample Spec Kit repo, this
// binary's `receive` (verifying signatures) and `serve` as child processes on loopback, three task
// transitions saved by atomic rename as editors do, and a readable summary. Exit 0 only when every delivery
// verified.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "actors/deliverer/signature.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/demo_repo.hpp"

extern char** environ;

namespace spec_notify::app {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

const std::vector<option_spec> demo_options = {
    {"keep", false, false, "keep the temp directory (repo, config, logs, received.jsonl) for inspection"},
    {"help", false, false, "show this help"},
};

pid_t start_child(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<char*> raw;
  for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
  raw.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, raw.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

void stop_child(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
}

// Polls `ready` every 20 ms until it holds or `deadline` passes (the condition, not the sleep, decides).
bool wait_for(const std::function<bool()>& ready, std::chrono::milliseconds deadline) {
  auto until = clock_type::now() + deadline;
  while (clock_type::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

struct received {
  std::string id, event, task, from, to, spec;
  bool verified = false, github = false;
};

received parse_received(const std::string& line) {
  received r;
  try {
    auto o = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    r.id = o->optValue<std::string>("webhook_id", "");
    r.event = o->optValue<std::string>("event", "");
    r.verified = o->has("verified") && !o->isNull("verified") && o->getValue<bool>("verified");
    r.github =
        o->has("github_verified") && !o->isNull("github_verified") && o->getValue<bool>("github_verified");
    auto body = o->getObject("body");
    if (body && body->getObject("task")) {
      auto t = body->getObject("task");
      r.task = t->optValue<std::string>("id", "");
      r.from = t->isNull("from") ? "(new)" : t->optValue<std::string>("from", "");
      r.to = t->optValue<std::string>("to", "");
    }
    if (body && body->getObject("spec")) r.spec = body->getObject("spec")->optValue<std::string>("key", "");
  } catch (const std::exception&) {
  }
  return r;
}

int demo(bool keep) {
  char tmpl[] = "/tmp/spec-notify-demo-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::cerr << "spec-notify demo: cannot create a temp directory in /tmp\n";
    return 1;
  }
  fs::path dir = tmpl, repo = dir / "repo";
  std::cout << "spec-notify demo in " << dir.string() << "\n";
  write_demo_repo(repo);
  setenv("SPEC_NOTIFY_DEMO_SECRET", deliverer::new_secret().c_str(), 1);

  auto port_file = dir / "receiver.port", out = dir / "received.jsonl";
  pid_t receiver =
      start_child({"spec-notify", "receive", "--listen", "127.0.0.1:0", "--secret-env",
                   "SPEC_NOTIFY_DEMO_SECRET", "--out", out.string(), "--ready-file", port_file.string()},
                  dir / "receiver.log");
  pid_t daemon = -1;
  auto cleanup = [&](int code) {
    stop_child(daemon);
    stop_child(receiver);
    if (!keep && code == 0)
      fs::remove_all(dir);
    else
      std::cout << "files kept in " << dir.string() << " (daemon.log, receiver.log, received.jsonl)\n";
    return code;
  };
  if (!wait_for([&] { return !read_text(port_file).empty(); }, std::chrono::seconds(10))) {
    std::cerr << "spec-notify demo: the receiver did not start; see " << (dir / "receiver.log").string()
              << "\n";
    return cleanup(1);
  }
  std::string port = read_text(port_file);
  while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) port.pop_back();
  auto config = dir / "config.toml";
  write_demo_config(config, repo, dir / "state", "http://127.0.0.1:" + port + "/hooks/spec");
  std::cout << "  receiver  http://127.0.0.1:" << port
            << "/hooks/spec (verifies Standard Webhooks + GitHub signatures)\n";

  auto daemon_log = dir / "daemon.log";
  daemon = start_child({"spec-notify", "serve", "--config", config.string()}, daemon_log);
  if (!wait_for([&] { return read_text(daemon_log).find("baseline recorded") != std::string::npos; },
                std::chrono::seconds(15))) {
    std::cerr << "spec-notify demo: the daemon did not record its baseline; see " << daemon_log.string()
              << "\n";
    return cleanup(1);
  }
  std::cout << "  daemon    watching " << repo.string() << "\n\n";

  auto started = clock_type::now();
  size_t expected = 0;
  for (const auto& step : demo_steps()) {
    std::cout << "  edit      " << step.description << "\n";
    step.apply(repo);
    expected += step.deliveries;
    if (!wait_for([&] { return lines_of(out).size() >= expected; }, std::chrono::seconds(15))) break;
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count();
  auto lines = lines_of(out);
  std::cout << "\n  deliveries received (" << lines.size() << " of " << expected << ", " << elapsed
            << " ms):\n";
  bool all_ok = lines.size() == expected;
  for (const auto& l : lines) {
    auto r = parse_received(l);
    all_ok = all_ok && r.verified && r.github;
    std::cout << "    " << r.id << "  " << r.event << "  " << r.spec << " " << r.task << ": " << r.from
              << " -> " << r.to << "  signatures " << (r.verified && r.github ? "verified" : "NOT VERIFIED")
              << "\n";
  }
  std::cout << "\n"
            << (all_ok ? "demo OK: every transition arrived once, signed and verified\n"
                       : "demo FAILED: see the daemon and receiver logs\n");
  return cleanup(all_ok ? 0 : 1);
}

}  // namespace

int run_demo(const arg_list& args) {
  parsed_args parsed;
  std::string error;
  if (!parse_args(args, demo_options, parsed, error)) {
    std::cerr << "spec-notify demo: " << error << "\n";
    return 2;
  }
  if (parsed.has("help")) {
    print_help(std::cout, "spec-notify demo [--keep]",
               "Runs a self-contained demo in a temp dir: sample Spec Kit repo, daemon, verifying receiver,\n"
               "three task transitions, and a summary. Needs only loopback networking.",
               demo_options);
    return 0;
  }
  return demo(parsed.has("keep"));
}

}  // namespace spec_notify::app
