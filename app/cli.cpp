#include "app/cli.hpp"

#include <cstdlib>
#include <iomanip>

namespace spec_notify::app {

std::string parsed_args::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return fallback;
  return it->second.back();
}

bool parse_args(const std::vector<std::string>& args, const std::vector<option_spec>& specs, parsed_args& out,
                std::string& error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a.size() > 1 && a[0] == '-' && a != "-") {
        error = "unknown option '" + a + "' (options are long: --name)";
        return false;
      }
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const option_spec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      error = "unknown option '--" + name + "' (see --help)";
      return false;
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) {
        error = "option '--" + name + "' needs a value";
        return false;
      }
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      error = "option '--" + name + "' takes no value";
      return false;
    }
    auto& slot = out.values[name];
    if (!slot.empty() && !spec->repeatable) {
      error = "option '--" + name + "' given more than once";
      return false;
    }
    slot.push_back(value);
  }
  return true;
}

void print_help(std::ostream& os, const std::string& usage, const std::string& summary,
                const std::vector<option_spec>& specs) {
  os << "usage: " << usage << "\n\n" << summary << "\n";
  if (specs.empty()) return;
  os << "\noptions:\n";
  for (const auto& s : specs) {
    std::string left = "--" + s.name + (s.takes_value ? " VALUE" : "");
    os << "  " << std::left << std::setw(24) << left << s.help << "\n";
  }
}

std::string config_path_from(const parsed_args& args) {
  if (args.has("config")) return args.get("config");
  if (const char* env = std::getenv("SPEC_NOTIFY_CONFIG"); env && *env) return env;
  return "config.toml";
}

}  // namespace spec_notify::app
