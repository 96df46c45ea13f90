#pragma once
// Internal to config/: reads and validates one [[notify.subscriptions]] table. Called by settings.cpp once
// per table, in file order; cross-subscription checks (duplicate names) stay with the caller.
#include <cstddef>
#include <filesystem>

#include "config/settings.hpp"
#include "config/toml_reader.hpp"

namespace spec_notify::config::detail {

// `index` is 0-based; messages say "subscription #<index+1>" while the name is missing or invalid.
// Relative ca_file paths resolve against `base_dir`. Secrets are resolved through `env` and validated; an
// invalid URL disables the subscription with a warning, every other problem is an error.
subscription_settings load_subscription(toml_reader& reader, const toml::table& table, size_t index,
                                        const std::filesystem::path& base_dir, const env_lookup& env);

// True when `name` matches [a-z0-9_-]+.
bool valid_subscription_name(std::string_view name);

}  // namespace spec_notify::config::detail
