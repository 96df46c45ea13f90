#pragma once
// The one check a new config passes before it replaces the running one, whoever asks (SIGHUP in serve, or
// the admin shell's `reload`): the file at the running config's path must load without errors and keep the
// same state_dir (one store per process, locked at start).
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace spec_notify::config {

struct reload_check {
  bool ok = false;
  settings next;                      // the new settings, when ok
  std::vector<std::string> problems;  // every problem of the file, warnings included (file:line:col)
  std::string refusal;                // why it cannot replace the running config, when !ok
};

reload_check check_reload(const settings& current, const env_lookup& env);

}  // namespace spec_notify::config
