#include "actors/router/ordering.hpp"

namespace spec_notify::router {

std::string ordering_key(const event& e, config::ordering_mode mode) {
  const std::string spec = e.spec_id.empty() ? "-" : e.spec_id;
  if (mode == config::ordering_mode::spec || e.task_id.empty()) return spec;
  return e.spec_id.empty() ? e.task_id : e.spec_id + "/" + e.task_id;
}

}  // namespace spec_notify::router
