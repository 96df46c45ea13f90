#include "config/proxy.hpp"

#include <algorithm>
#include <cctype>

namespace spec_notify::config {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "http://[user:pass@]host[:port][/]" -> out. `allow_credentials`: only for values from the environment.
bool parse_proxy_text(std::string_view text, bool allow_credentials, proxy_settings& out,
                      std::string& error) {
  std::string_view rest = text;
  auto sep = rest.find("://");
  // curl takes "host:port" without a scheme as http; so do we (HTTPS_PROXY=proxy:3128 is common).
  if (sep != std::string_view::npos) {
    if (ascii_lower(rest.substr(0, sep)) != "http") {
      error =
          "not an http:// proxy URL (only plain HTTP proxies are supported; HTTPS goes through them with "
          "CONNECT)";
      return false;
    }
    rest.remove_prefix(sep + 3);
  }
  proxy_settings p;
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") {
    error = "a proxy URL has no path or query (expected http://host:port)";
    return false;
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (!allow_credentials) {
      error =
          "proxy must not contain user info; put credentials in the HTTPS_PROXY/HTTP_PROXY environment "
          "variable instead";
      return false;
    }
    std::string_view info = authority.substr(0, at);
    auto colon = info.find(':');
    p.username = percent_decode(info.substr(0, colon));
    if (colon != std::string_view::npos) p.password = percent_decode(info.substr(colon + 1));
    authority.remove_prefix(at + 1);
  }
  parsed_url u;
  std::string why;
  if (!parse_secret_url("http://" + std::string(authority) + "/", u, why)) {
    error = "invalid proxy address: " + why;
    return false;
  }
  p.host = u.host;
  p.port = u.port;
  out = std::move(p);
  return true;
}

std::optional<std::string> first_set(const env_lookup& env, std::initializer_list<const char*> names,
                                     std::string& which) {
  if (!env) return std::nullopt;
  for (const char* name : names) {
    if (auto v = env(name); v && !v->empty()) {
      which = name;
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

bool parse_proxy(std::string_view text, proxy_settings& out, std::string& error) {
  if (text.find("://") == std::string_view::npos) {
    error = "proxy must be an http:// URL (http://host:port)";
    return false;
  }
  return parse_proxy_text(text, false, out, error);
}

bool no_proxy_matches(std::string_view list, std::string_view host) {
  std::string h = ascii_lower(host);
  size_t i = 0;
  while (i <= list.size()) {
    size_t comma = list.find(',', i);
    std::string entry =
        ascii_lower(list.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
    i = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (entry.size() >= 2 && entry.front() == '[' && entry.back() == ']')
      entry = entry.substr(1, entry.size() - 2);
    if (h == entry) return true;
    if (h.size() > entry.size() && h.compare(h.size() - entry.size(), entry.size(), entry) == 0 &&
        h[h.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

std::optional<proxy_settings> proxy_from_env(const parsed_url& target, const env_lookup& env,
                                             std::string& error) {
  std::string which, no_proxy_name;
  auto value = target.scheme == "https" ? first_set(env, {"https_proxy", "HTTPS_PROXY"}, which)
                                        : first_set(env, {"http_proxy", "HTTP_PROXY"}, which);
  if (!value) return std::nullopt;
  if (auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"}, no_proxy_name);
      no_proxy && no_proxy_matches(*no_proxy, target.host))
    return std::nullopt;
  proxy_settings p;
  std::string why;
  if (!parse_proxy_text(*value, true, p, why)) {
    error = "environment variable " + which + " is not a usable proxy: " + why;
    return std::nullopt;
  }
  p.source = which;
  return p;
}

}  // namespace spec_notify::config
