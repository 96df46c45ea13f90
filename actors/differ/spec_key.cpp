#include "actors/differ/spec_key.hpp"

#include "actors/util/repo_file.hpp"

namespace spec_notify::differ {

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
    if (it->is_symlink(entry_ec) && !util::real_path_inside(repo, it->path())) continue;
    if (name == spec_id) return spec_id;
    found = name;
    ++matches;
  }
  return matches == 1 ? found : spec_id;
}

}  // namespace spec_notify::differ
