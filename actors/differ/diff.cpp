#include "actors/differ/diff.hpp"

namespace spec_notify::differ {

bool is_transition(const known_state* previous, const task_row& row) {
  return previous == nullptr || previous->status != row.status;
}

std::vector<transition> diff_rows(const std::map<std::string, known_state>& previous,
                                  const std::vector<task_row>& current) {
  std::vector<transition> out;
  for (const task_row& row : current) {
    const auto it = previous.find(row.id);
    const known_state* prev = it == previous.end() ? nullptr : &it->second;
    if (is_transition(prev, row))
      out.push_back({row, prev != nullptr, prev ? prev->status : task_status::other});
  }
  return out;
}

}  // namespace spec_notify::differ
