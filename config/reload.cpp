#include "config/reload.hpp"

namespace spec_notify::config {

reload_check check_reload(const settings& current, const env_lookup& env) {
  reload_check r;
  auto loaded = load_settings_file(current.config_path, env);
  for (const auto& p : loaded.problems) r.problems.push_back(p.to_string());
  if (!loaded.ok()) {
    r.refusal = current.config_path + " is invalid; the running config stays in effect";
    return r;
  }
  if (loaded.value.state_dir != current.state_dir) {
    r.refusal = "state_dir changed (" + current.state_dir.string() + " -> " +
                loaded.value.state_dir.string() + "); that needs a restart";
    return r;
  }
  r.ok = true;
  r.next = std::move(loaded.value);
  return r;
}

}  // namespace spec_notify::config
