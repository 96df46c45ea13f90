#pragma once
// Outbound HTTP proxies (issue 17 item 4). Pure functions, thread-safe; the loader resolves one proxy per
// subscription at load time (and on SIGHUP), the deliverer connects through it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "messages/status.hpp"

namespace spec_notify::config {

// Parses a configured `proxy` value: "http://host:port" ("http://host" = port 80), nothing after the
// authority but an optional "/". User info is refused: proxy credentials come only from the environment.
// Errors never echo the value.
result<proxy_settings> parse_proxy(std::string_view text);

// The proxy for a target when the config names none, as curl picks it: https targets use HTTPS_PROXY (or
// https_proxy), http targets HTTP_PROXY (or http_proxy; the lower-case one first, as curl does); a host
// matched by NO_PROXY/no_proxy (comma-separated names or domain suffixes, "*" = every host, ".example"
// and "example" both match sub.example) goes direct. A variable may carry "user:password@" (percent-
// decoded): the only place proxy credentials come from. nullopt for a direct connection; a failure (naming
// the variable, never its value) when the variable is set but unusable.
result<std::optional<proxy_settings>> proxy_from_env(const parsed_url& target, const env_lookup& env);

// True when NO_PROXY-style `list` exempts `host`.
bool no_proxy_matches(std::string_view list, std::string_view host);

}  // namespace spec_notify::config
