#pragma once
// Webhook URLs and host:port listen addresses of the configuration. Pure functions, thread-safe.
// Used by config/settings.cpp at load time; the deliverer connects to parsed_url, the admin actor and the
// metrics endpoint bind to parse_host_port's result.
#include <cstdint>
#include <string>
#include <string_view>

namespace spec_notify::config {

struct parsed_url {
  std::string scheme;  // "http" or "https", lower-cased
  std::string host;    // lower-cased; IPv6 literals WITHOUT brackets ("::1"): add them for Host headers
  uint16_t port = 0;   // explicit port, else 80 (http) / 443 (https)
  std::string path_and_query;  // starts with '/'; "/" when the URL has no path; "?q" becomes "/?q"
};

// Accepts absolute http:// and https:// URLs only: scheme (any case), a required host (DNS name, IPv4, or an
// IPv6 literal in brackets: http://[::1]:8080/x), an optional port 1..65535, then path and query.
// Rejected, each with a one-line `error`: other schemes, user-info (user:pass@host: secrets belong in
// secret_env), an empty or malformed host or port, spaces, control characters, non-ASCII bytes
// (percent-encode them), backslashes, malformed %XX escapes, and fragments ("#..." is never sent to a server,
// so a URL carrying one is almost certainly a mistake). On failure `out` is left untouched. Errors never echo
// the whole URL (a query string may carry a token); they name the position or the offending host/port only.
bool parse_url(std::string_view text, parsed_url& out, std::string& error);

// The URL rebuilt from its parts (brackets around IPv6 hosts, default ports omitted). For logs and summaries.
std::string to_string(const parsed_url& url);

struct host_port {
  std::string host;  // IPv6 literals without brackets
  uint16_t port = 0;
};

// "host:port" with a required host and a port 1..65535; IPv6 as "[::1]:7707".
bool parse_host_port(std::string_view text, host_port& out, std::string& error);

// True for "localhost", 127.0.0.0/8 and ::1 (brackets optional).
bool is_loopback_host(std::string_view host);

}  // namespace spec_notify::config
