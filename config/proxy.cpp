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
result<proxy_settings> parse_proxy_text(std::string_view text, bool allow_credentials) {
  std::string_view rest = text;
  auto sep = rest.find("://");
  // curl takes "host:port" without a scheme as http; so do we (HTTPS_PROXY=proxy:3128 is common).
  if (sep != std::string_view::npos) {
    if (ascii_lower(rest.substr(0, sep)) != "http") {
      return status::failure(
          "not an http:// proxy URL (only plain HTTP proxies are supported; HTTPS goes through them with "
          "CONNECT)");
    }
    rest.remove_prefix(sep + 3);
  }
  proxy_settings p;
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") {
    return status::failure("a proxy URL has no path or query (expected http://host:port)");
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (!allow_credentials) {
      return status::failure(
          "proxy must not contain user info; put credentials in the HTTPS_PROXY/HTTP_PROXY environment "
          "variable instead");
    }
    std::string_view info = authority.substr(0, at);
    auto colon = info.find(':');
    p.username = percent_decode(info.substr(0, colon));
    if (colon != std::string_view::npos) p.password = percent_decode(info.substr(colon + 1));
    authority.remove_prefix(at + 1);
  }
  auto u = parse_secret_url("http://" + std::string(authority) + "/");
  if (!u) return status::failure("invalid proxy address: " + u.message());
  p.host = u->host;
  p.port = u->port;
  return p;
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

result<proxy_settings> parse_proxy(std::string_view text) {
  if (text.find("://") == std::string_view::npos) {
    return status::failure("proxy must be an http:// URL (http://host:port)");
  }
  return parse_proxy_text(text, false);
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

result<std::optional<proxy_settings>> proxy_from_env(const parsed_url& target, const env_lookup& env) {
  std::string which, no_proxy_name;
  auto value = target.scheme == "https" ? first_set(env, {"https_proxy", "HTTPS_PROXY"}, which)
                                        : first_set(env, {"http_proxy", "HTTP_PROXY"}, which);
  if (!value) return {std::nullopt};
  if (auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"}, no_proxy_name);
      no_proxy && no_proxy_matches(*no_proxy, target.host))
    return {std::nullopt};
  auto p = parse_proxy_text(*value, true);
  if (!p) return status::failure("environment variable " + which + " is not a usable proxy: " + p.message());
  p->source = which;
  return {std::optional<proxy_settings>(std::move(*p))};
}

}  // namespace spec_notify::config
