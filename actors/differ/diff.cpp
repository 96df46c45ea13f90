#include "actors/differ/diff.hpp"

namespace spec_notify::differ {

std::vector<transition> diff_rows(const std::map<std::string, known_state>& previous,
                                  const std::vector<task_row>& current) {
  std::vector<transition> out;
  for (const task_row& row : current) {
    const auto it = previous.find(row.id);
    if (it == previous.end()) {
      out.push_back({row, false, task_status::other});
    } else if (it->second.status != row.status) {
      out.push_back({row, true, it->second.status});
    }
  }
  return out;
}

}  // namespace spec_notify::differ
