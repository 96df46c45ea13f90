#include "config/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace spec_notify::config {
namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Characters no part of a URL may contain raw; checked once over the whole text so every later step can
// assume printable ASCII.
bool check_characters(std::string_view text, std::string& error) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    std::string at = " at position " + std::to_string(i + 1);
    if (c == ' ') {
      error = "URL contains a space" + at + " (percent-encode it as %20)";
    } else if (c < 0x20 || c == 0x7f) {
      error = "URL contains a control character" + at;
    } else if (c >= 0x80) {
      error = "URL contains a non-ASCII byte" + at + " (percent-encode it)";
    } else if (c == '\\') {
      error = "URL contains a backslash" + at;
    } else if (c == '%' && (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2]))) {
      error = "URL contains a malformed percent escape" + at + " (expected %XX with two hex digits)";
    } else {
      continue;
    }
    return false;
  }
  return true;
}

// " 'text'" for error messages, or "" when the text being parsed is a secret (url_env): then an error names
// only what is wrong, never a part of the value.
std::string quoted(std::string_view text, bool show) {
  return show ? " '" + std::string(text) + "'" : std::string();
}

bool parse_port(std::string_view digits, uint16_t& port, std::string& error, bool show) {
  if (digits.empty() || digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    error = "invalid port" + quoted(digits, show) + " (expected 1..65535)";
    return false;
  }
  unsigned long value = std::stoul(std::string(digits));
  if (value == 0 || value > 65535) {
    error = "invalid port" + quoted(digits, show) + " (expected 1..65535)";
    return false;
  }
  port = static_cast<uint16_t>(value);
  return true;
}

bool valid_ipv6(const std::string& text) {
  in6_addr addr{};
  return inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

// DNS names and IPv4 literals: letters, digits, '-', '.', '_' (the latter seen in internal names).
bool valid_reg_name(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// Splits "host[:port]" / "[v6][:port]". `port_required` distinguishes listen addresses from URL authorities.
bool parse_authority(std::string_view auth, bool port_required, std::string& host,
                     std::optional<uint16_t>& port, std::string& error, bool show = true) {
  std::string_view rest;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 literal" + quoted(auth, show) + " (missing ']')";
      return false;
    }
    host = ascii_lower(auth.substr(1, close - 1));
    if (!valid_ipv6(host)) {
      error = "invalid IPv6 address" + quoted(host, show);
      return false;
    }
    rest = auth.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      error = "unexpected text after IPv6 literal" + (show ? ": '" + std::string(rest) + "'" : "");
      return false;
    }
  } else {
    auto colon = auth.find(':');
    host = ascii_lower(auth.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : auth.substr(colon);
    if (!host.empty() && !valid_reg_name(host)) {
      error = "invalid host" + quoted(host, show) + " (IPv6 addresses need brackets: [::1])";
      return false;
    }
  }
  if (host.empty()) {
    error = std::count(auth.begin(), auth.end(), ':') > 1 ? "IPv6 addresses need brackets, e.g. [::1]:8080"
                                                          : "missing host";
    return false;
  }
  if (rest.empty()) {
    if (port_required) error = "missing port (expected host:port)";
    return !port_required;
  }
  uint16_t p = 0;
  if (!parse_port(rest.substr(1), p, error, show)) return false;
  port = p;
  return true;
}

constexpr std::string_view kMetadataName = "metadata.google.internal";

// IPv4 address in host byte order -> reason, "" when allowed. `shown` is how the config or caller wrote it.
std::string classify_v4(uint32_t address, const std::string& shown) {
  if ((address >> 16) != 0xA9FEu) return "";
  in_addr a{};
  a.s_addr = htonl(address);
  char dotted[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, dotted, sizeof dotted);
  std::string who = shown == dotted ? "'" + shown + "'" : "'" + shown + "' (" + dotted + ")";
  return who + " is a link-local address (169.254.0.0/16, where cloud metadata services answer)";
}

// The IPv4 address an IPv6 address carries when traffic to it reaches IPv4 (mapped, compatible, SIIT, NAT64).
std::optional<uint32_t> embedded_v4(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  auto zero = [b](int from, int to) {
    return std::all_of(b + from, b + to, [](uint8_t x) { return x == 0; });
  };
  uint32_t v4 = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
  bool mapped = zero(0, 10) && b[10] == 0xff && b[11] == 0xff;
  bool compatible = zero(0, 12) && v4 > 1;  // ::a.b.c.d, but not :: or ::1
  bool siit = zero(0, 8) && b[8] == 0xff && b[9] == 0xff && zero(10, 12);
  bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12);
  if (mapped || compatible || siit || nat64) return v4;
  return std::nullopt;
}

std::string classify_v6(const in6_addr& a, const std::string& shown) {
  const uint8_t* b = a.s6_addr;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "'" + shown + "' is a link-local address (fe80::/10)";
  in6_addr aws{};
  inet_pton(AF_INET6, "fd00:ec2::254", &aws);
  if (std::memcmp(&a, &aws, sizeof a) == 0)
    return "'" + shown + "' is the AWS instance metadata address (fd00:ec2::254)";
  if (auto v4 = embedded_v4(a)) {
    std::string why = classify_v4(*v4, shown);
    if (!why.empty()) return why + " embedded in IPv6";
  }
  return "";
}

// `show`: whether errors may quote parts of `text` (scheme, host, port); false for secret URLs.
result<parsed_url> parse_url_text(std::string_view text, bool show) {
  if (text.empty()) {
    return status::failure("empty URL");
  }
  std::string error;
  if (!check_characters(text, error)) return status::failure(error);
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return status::failure("URL has no scheme (expected http:// or https://)");
  }
  std::string scheme = ascii_lower(text.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return status::failure(show ? "unsupported URL scheme '" + scheme + "' (expected http or https)"
                                : "not an http(s) URL (unsupported scheme; expected http:// or https://)");
  }
  std::string_view rest = text.substr(sep + 3);
  auto end_of_authority = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view tail =
      end_of_authority == std::string_view::npos ? std::string_view{} : rest.substr(end_of_authority);
  if (authority.find('@') != std::string_view::npos) {
    return status::failure(
        "URL must not contain user info (user:password@); put credentials in secret_env instead");
  }
  if (tail.find('#') != std::string_view::npos) {
    return status::failure(
        "URL must not contain a fragment ('#...'): fragments are never sent to the server");
  }
  parsed_url url;
  std::optional<uint16_t> port;
  if (!parse_authority(authority, false, url.host, port, error, show)) return status::failure(error);
  url.scheme = scheme;
  url.port = port ? *port : (scheme == "https" ? 443 : 80);
  if (tail.empty()) {
    url.path_and_query = "/";
  } else if (tail.front() == '?') {
    url.path_and_query = "/" + std::string(tail);
  } else {
    url.path_and_query = std::string(tail);
  }
  return url;
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

result<parsed_url> parse_url(std::string_view text) {
  return parse_url_text(text, true);
}

result<parsed_url> parse_secret_url(std::string_view text) {
  return parse_url_text(text, false);
}

std::string redacted_url(const parsed_url& url) {
  parsed_url origin = url;
  origin.path_and_query = url.path_and_query.empty() || url.path_and_query == "/" ? "/" : "/***";
  return to_string(origin);
}

std::string redacted_url_text(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return "***";
  std::string_view scheme = text.substr(0, sep), rest = text.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end),
                   tail = end == std::string_view::npos ? "" : rest.substr(end);
  std::string shown_user;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    shown_user = "***@";
    authority.remove_prefix(at + 1);
  }
  // Text that did not parse may hold anything: only characters a host, port or scheme can have are kept.
  auto plain = [](std::string_view part, std::string_view extra) {
    return std::all_of(part.begin(), part.end(), [extra](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
    });
  };
  std::string shown_scheme = plain(scheme, "+-.") ? ascii_lower(scheme) : "***";
  std::string shown_host = plain(authority, "-._:[]") ? ascii_lower(authority) : "***";
  return shown_scheme + "://" + shown_user + shown_host + (tail.empty() || tail == "/" ? "/" : "/***");
}

std::string to_string(const parsed_url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string s = url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host);
  bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
  if (!default_port) s += ":" + std::to_string(url.port);
  return s + url.path_and_query;
}

result<host_port> parse_host_port(std::string_view text) {
  host_port out;
  std::optional<uint16_t> port;
  std::string error;
  if (!parse_authority(text, true, out.host, port, error))
    return status::failure("invalid address '" + std::string(text) + "': " + error);
  out.port = *port;
  return out;
}

bool is_loopback_host(std::string_view host) {
  std::string h = ascii_lower(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost" || h == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string forbidden_target_reason(std::string_view host) {
  std::string h = ascii_lower(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  // "169.254.169.254." and "metadata.google.internal." name the same targets as without the dot.
  std::string bare = h;
  while (!bare.empty() && bare.back() == '.') bare.pop_back();
  if (bare == kMetadataName)
    return "'" + h + "' is the cloud metadata service (" + std::string(kMetadataName) + ")";
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return classify_v6(v6, h);
  // inet_aton, not inet_pton: it is what the resolver and the HTTP client accept (0xa9fea9fe, 2852039166...).
  in_addr v4{};
  if (!bare.empty() && inet_aton(bare.c_str(), &v4) == 1) return classify_v4(ntohl(v4.s_addr), h);
  return "";
}

std::string forbidden_address_reason(const sockaddr* addr) {
  if (addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return classify_v4(ntohl(in->sin_addr.s_addr), text);
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return classify_v6(in6->sin6_addr, text);
  }
  return "";
}

}  // namespace spec_notify::config
