#pragma once
// Webhook URLs and host:port listen addresses of the configuration. Pure functions, thread-safe.
// Used by config/settings.cpp at load time; the deliverer connects to parsed_url, the admin actor and the
// metrics endpoint bind to parse_host_port's result.
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "messages/status.hpp"

namespace spec_notify::config {

struct parsed_url {
  std::string scheme;  // "http" or "https", lower-cased
  std::string host;    // lower-cased; IPv6 literals WITHOUT brackets ("::1"): add them for Host headers
  uint16_t port = 0;   // explicit port, else 80 (http) / 443 (https)
  std::string path_and_query;  // starts with '/'; "/" when the URL has no path; "?q" becomes "/?q"
};

// Accepts absolute http:// and https:// URLs only: scheme (any case), a required host (DNS name, IPv4, or an
// IPv6 literal in brackets: http://[::1]:8080/x), an optional port 1..65535, then path and query.
// Rejected, each with a one-line failure: other schemes, user-info (user:pass@host: secrets belong in
// secret_env), an empty or malformed host or port, spaces, control characters, non-ASCII bytes
// (percent-encode them), backslashes, malformed %XX escapes, and fragments ("#..." is never sent to a server,
// so a URL carrying one is almost certainly a mistake). Errors never echo
// the whole URL (a query string may carry a token); they name the position or the offending host/port only.
// ASCII lower case (scheme and host names; never locale-dependent).
std::string ascii_lower(std::string_view s);

result<parsed_url> parse_url(std::string_view text);

// parse_url for a URL that is itself a secret (read from the variable a subscription's url_env names): the
// same rules, but no error contains any part of `text` -- not the scheme, host or port either, since a value
// that does not parse may be anything (a token pasted into the wrong variable). Errors say what is wrong
// ("URL has no scheme", "invalid port (expected 1..65535)") or where ("at position 12").
result<parsed_url> parse_secret_url(std::string_view text);

// The URL rebuilt from its parts (brackets around IPv6 hosts, default ports omitted). The whole URL, path and
// query included: for the HTTP client only. Anything shown to a person uses redacted_url.
std::string to_string(const parsed_url& url);

// How a URL is shown everywhere (logs, check-config, --test, evidence, errors): scheme://host[:port]/ and,
// when the URL has a path beyond "/" or a query, "***" in their place:
// "https://hooks.slack.com/services/***". Webhook URLs often carry their credential in the path (Slack,
// Discord, Teams) or the query (?token=), so no output ever holds more than the origin; an endpoint stays
// recognisable by its host.
std::string redacted_url(const parsed_url& url);

// redacted_url for text that may not parse (a rejected url): userinfo becomes "***@", a scheme or authority
// with characters no scheme or host can hold becomes "***", text without "://" is "***" as a whole.
std::string redacted_url_text(std::string_view text);

struct host_port {
  std::string host;  // IPv6 literals without brackets
  uint16_t port = 0;
};

// "host:port" with a required host and a port 1..65535; IPv6 as "[::1]:7707".
result<host_port> parse_host_port(std::string_view text);

// True for "localhost", 127.0.0.0/8 and ::1 (brackets optional).
bool is_loopback_host(std::string_view host);

// Endpoint policy: link-local and cloud-metadata targets are refused unless a subscription sets
// allow_link_local = true (docs/security.md). Forbidden: 169.254.0.0/16, fe80::/10, fd00:ec2::254, the same
// IPv4 addresses embedded in IPv6 (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, SIIT
// ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d), and the name metadata.google.internal. Loopback and private
// ranges (127/8, 10/8, 172.16/12, 192.168/16, ::1, fc00::/7 other than fd00:ec2::254) are allowed.
//
// forbidden_target_reason classifies a URL host as parse_url stores it (lower-cased, IPv6 without brackets;
// brackets and any case are accepted too). Literals are read with the resolver's own rules: inet_aton for
// IPv4, so decimal (2852039166), hex (0xa9fea9fe, 0xa9.0xfe.0xa9.0xfe), octal (0251.0376.0251.0376) and short
// forms (169.254.43518) classify as the address the HTTP client would connect to; trailing dots are ignored.
// A DNS name other than the metadata names is not resolved here: returns "" (allowed) for it.
// Returns "" when the host is allowed, else a one-line reason naming the host and the range.
std::string forbidden_target_reason(std::string_view host);

// The same policy for an address the HTTP client resolved at send time. Called by the deliverer before it
// connects to a resolved DNS name (a name may resolve to 169.254.169.254 although the config names no
// literal). `addr` is an AF_INET or AF_INET6 sockaddr (other families: ""); for Poco, pass
// SocketAddress::addr(). Returns "" when allowed, else a one-line reason. Thread-safe.
std::string forbidden_address_reason(const sockaddr* addr);

}  // namespace spec_notify::config
