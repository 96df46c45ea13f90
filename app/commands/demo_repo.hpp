#pragma once
// The demo's sample Spec Kit repo, config and edits (kept apart from the process orchestration in demo.cpp).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace spec_notify::app {

struct demo_step {
  std::string description;
  std::function<void(const std::filesystem::path& repo)> apply;  // saves files by atomic rename
  size_t deliveries;                                             // deliveries this edit should cause
};

void write_demo_repo(const std::filesystem::path& repo);
void write_demo_config(const std::filesystem::path& config, const std::filesystem::path& repo,
                       const std::filesystem::path& state_dir, const std::string& url);
std::vector<demo_step> demo_steps();

// Writes `text` to `path` the way git and editors do: a temp file in the same folder, then rename.
void save_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace spec_notify::app
