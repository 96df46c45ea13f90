#pragma once
// watcher -> differ: files under the repo whose content may have changed (paths relative to the repo root).
#include <caf/meta/type_name.hpp>
#include <string>
#include <vector>

namespace spec_notify {

struct files_changed {
  std::vector<std::string> paths;  // e.g. "SPEC.md", "docs/SPEC-KIT-075/tasks.md"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, files_changed& x) {
  return f(caf::meta::type_name("files_changed"), x.paths);
}

}  // namespace spec_notify
