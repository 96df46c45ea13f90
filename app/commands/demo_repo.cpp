#include "app/commands/demo_repo.hpp"

#include <fstream>

namespace spec_notify::app {
namespace {

std::string spec_md(const char* t2, const char* t3) {
  return std::string(
             "# Demo Spec Tracker\n\n"
             "| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | "
             "Notes |\n"
             "|-------|---------|-------|--------|--------|-----|--------|----|-----------------|----------|-"
             "------|\n"
             "| 1 | T1 | Scaffold webhook config | **DONE** | Code | docs/SPEC-KIT-900-demo-webhooks/PRD.md "
             "|  |  | 2025-10-15 |  | shipped |\n"
             "| 2 | T2 | Sign payloads | ") +
         t2 +
         " | Code | docs/SPEC-KIT-900-demo-webhooks/PRD.md |  |  |  |  |  |\n"
         "| 3 | T3 | Replay tooling | " +
         t3 + " | Code | docs/SPEC-KIT-900-demo-webhooks/PRD.md |  |  |  |  |  |\n";
}

std::string tasks_md(const char* s2) {
  return std::string(
             "# Tasks: SPEC-KIT-900-demo-webhooks\n\n"
             "| Order | Task | Owner | Status | Validation |\n"
             "| --- | --- | --- | --- | --- |\n"
             "| 1 | T900-1: Write the PRD | Code | Done | reviewed |\n"
             "| 2 | T900-2: Wire the receiver | Code | ") +
         s2 + " | pending |\n";
}

}  // namespace

void save_atomically(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp~";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

void write_demo_repo(const std::filesystem::path& repo) {
  std::filesystem::create_directories(repo / "docs/SPEC-KIT-900-demo-webhooks");
  save_atomically(repo / "SPEC.md", spec_md("In Progress", "Backlog"));
  save_atomically(repo / "docs/SPEC-KIT-900-demo-webhooks/tasks.md", tasks_md("In Progress"));
}

void write_demo_config(const std::filesystem::path& config, const std::filesystem::path& repo,
                       const std::filesystem::path& state_dir, const std::string& url) {
  std::ofstream out(config);
  out << "[notify]\n"
      << "repo = \"" << repo.string() << "\"\n"
      << "state_dir = \"" << state_dir.string() << "\"\n"
      << "admin = \"off\"  # the demo needs no admin channel; a daemon already on 127.0.0.1:7707 keeps it\n"
      << "\n[[notify.subscriptions]]\n"
      << "name = \"demo\"\n"
      << "url = \"" << url << "\"\n"
      << "secret_env = \"SPEC_NOTIFY_DEMO_SECRET\"\n"
      << "statuses = [\"Done\", \"In Review\"]\n"
      << "signature = \"both\"\n";
}

std::vector<demo_step> demo_steps() {
  return {
      {"SPEC.md: T2 In Progress -> **DONE**",
       [](const std::filesystem::path& repo) {
         save_atomically(repo / "SPEC.md", spec_md("**DONE**", "Backlog"));
       },
       1},
      {"SPEC.md: T3 Backlog -> In Review",
       [](const std::filesystem::path& repo) {
         save_atomically(repo / "SPEC.md", spec_md("**DONE**", "In Review"));
       },
       1},
      {"docs/SPEC-KIT-900-demo-webhooks/tasks.md: T900-2 In Progress -> Done",
       [](const std::filesystem::path& repo) {
         save_atomically(repo / "docs/SPEC-KIT-900-demo-webhooks/tasks.md", tasks_md("Done"));
       },
       1},
  };
}

}  // namespace spec_notify::app
