#pragma once
// Lets Boost.Test print task_status values in failure messages (found by ADL).
#include <ostream>

#include "actors/differ/status.hpp"

namespace spec_notify::differ {

inline std::ostream& operator<<(std::ostream& os, task_status s) {
  return os << canonical_name(s);
}

}  // namespace spec_notify::differ
