#include "actors/differ/spec_key.hpp"

#include "actors/watcher/repo_file.hpp"

namespace spec_notify::differ {

namespace {

bool all_digits(std::string_view token) {
  if (token.empty()) return false;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string spec_key(std::string_view spec_id) {
  size_t start = 0;
  while (start <= spec_id.size()) {
    const size_t dash = spec_id.find('-', start);
    const size_t end = dash == std::string_view::npos ? spec_id.size() : dash;
    if (all_digits(spec_id.substr(start, end - start))) return std::string(spec_id.substr(0, end));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  return std::string(spec_id);
}

std::string resolve_spec_slug(const std::filesystem::path& repo, const std::string& spec_id) {
  if (spec_id.empty()) return spec_id;
  const std::string key = spec_key(spec_id);
  std::string found;
  int matches = 0;
  std::error_code ec, entry_ec;
  for (std::filesystem::directory_iterator it(repo / "docs", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, key.size(), key) != 0 || spec_key(name) != key || !it->is_directory(entry_ec))
      continue;
    // A symlinked folder that leaves the repo is not watched, so it names no SPEC either.
    if (it->is_symlink(entry_ec) && !watcher::real_path_inside(repo, it->path())) continue;
    if (name == spec_id) return spec_id;
    found = name;
    ++matches;
  }
  return matches == 1 ? found : spec_id;
}

}  // namespace spec_notify::differ
