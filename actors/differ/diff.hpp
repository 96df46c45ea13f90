#pragma once
// Turns the rows of one file into task transitions, given what the differ last saw for that file (contract,
// "Task transitions"): a new id is a transition from null, a change of normalised category is a transition,
// anything else (same category, Other -> Other with a different raw text, removed rows) emits nothing.
// The caller (differ actor) owns `previous`, persists it in LevelDB and updates it from the rows afterwards.
// Pure function: thread-safe.
#include <map>
#include <string>
#include <vector>

#include "actors/differ/status.hpp"
#include "actors/differ/task_table.hpp"

namespace spec_notify::differ {

struct known_state {
  task_status status = task_status::other;
  std::string raw;  // raw cell text last seen
};

struct transition {
  task_row row;                           // the row as it is now (to = row.status)
  bool has_from = false;                  // false: first seen after the baseline (from = null)
  task_status from = task_status::other;  // meaningful only when has_from
};

// The contract's rule for one row: a transition when its id was not seen before (`previous` null) or its
// normalised category changed.
bool is_transition(const known_state* previous, const task_row& row);

// previous: last-seen state per task id for ONE file (ids of rows removed earlier stay in it).
// Returns the transitions in file order (the order of `current`).
std::vector<transition> diff_rows(const std::map<std::string, known_state>& previous,
                                  const std::vector<task_row>& current);

}  // namespace spec_notify::differ
