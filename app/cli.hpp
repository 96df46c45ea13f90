#pragma once
// Tiny argv parser shared by every command. Commands declare their options; anything undeclared is a usage
// error (exit 2) with a message naming the option. CAF never sees user argv.
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace spec_notify::app {

struct option_spec {
  std::string name;  // long name without dashes, e.g. "config"
  bool takes_value;  // --name VALUE / --name=VALUE
  bool repeatable;   // may be given several times
  std::string help;  // one line for --help
};

struct parsed_args {
  std::map<std::string, std::vector<std::string>> values;  // option -> values ("" for plain flags)
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return values.count(name) > 0; }
  // Last value of an option, or `fallback` when absent.
  std::string get(const std::string& name, const std::string& fallback = "") const;
};

// Parses `args` (argv after the command word). On error returns false and sets `error` to a one-line message.
bool parse_args(const std::vector<std::string>& args, const std::vector<option_spec>& specs, parsed_args& out,
                std::string& error);

// Prints "usage: <usage>\n\n<summary>\n\noptions:\n  --name VALUE  help" for a command's --help.
void print_help(std::ostream& os, const std::string& usage, const std::string& summary,
                const std::vector<option_spec>& specs);

// The config path rule of the contract: --config, else $SPEC_NOTIFY_CONFIG, else ./config.toml.
std::string config_path_from(const parsed_args& args);

}  // namespace spec_notify::app
