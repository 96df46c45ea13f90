// Operator commands not implemented yet: they say so (exit 2) instead of pretending. Each function moves to
// its own file when it is implemented (this file then disappears).
#include <iostream>

#include "app/commands/commands.hpp"

namespace spec_notify::app {
namespace {
int pending(const char* name) {
  std::cerr << "spec-notify: '" << name << "' is not available in this build yet\n";
  return 2;
}
}  // namespace

int run_test(const arg_list&) { return pending("--test"); }
int run_list(const arg_list&) { return pending("--list"); }
int run_replay(const arg_list&) { return pending("--replay"); }
int run_admin(const arg_list&) { return pending("admin"); }

}  // namespace spec_notify::app
