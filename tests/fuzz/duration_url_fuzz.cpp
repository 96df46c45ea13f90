// libFuzzer target: the configuration's small parsers (config/duration.hpp, config/url.hpp): parse_duration,
// parse_url, parse_host_port and is_loopback_host on the same input. Checks the headers' promises: a failure
// explains itself; format_duration round-trips; a parsed URL has an http(s)
// scheme, a host, a port and a path starting with '/', and to_string() of it parses back to the same parts;
// a parsed host:port has a host and a port 1..65535; errors never echo a URL's query string; no parsed
// duration exceeds kMaxDuration (100 years); the endpoint policy classifies any host without crashing.
#include <chrono>
#include <string>
#include <string_view>

#include "config/duration.hpp"
#include "config/url.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace config = spec_notify::config;
using std::chrono::milliseconds;

namespace {

void fuzz_duration(std::string_view text) {
  auto out = config::parse_duration(text);
  if (!out) {
    FUZZ_CHECK(!out.message().empty());
    return;
  }
  FUZZ_CHECK(out->count() >= 0);
  FUZZ_CHECK(*out <= config::kMaxDuration);
  auto again = config::parse_duration(config::format_duration(*out));
  FUZZ_CHECK(again && *again == *out);
}

bool same(const config::parsed_url& a, const config::parsed_url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.path_and_query == b.path_and_query;
}

void fuzz_url(std::string_view text) {
  auto out = config::parse_url(text);
  if (!out) {
    const std::string& error = out.message();
    FUZZ_CHECK(!error.empty());
    // Errors name a position or the host/port only: never the query string (it may carry a token).
    const size_t q = text.find('?');
    if (q != std::string_view::npos && text.size() - q > 8)
      FUZZ_CHECK(error.find(text.substr(q)) == std::string::npos);
    return;
  }
  FUZZ_CHECK(out->scheme == "http" || out->scheme == "https");
  FUZZ_CHECK(!out->host.empty());
  FUZZ_CHECK(out->port != 0);
  FUZZ_CHECK(!out->path_and_query.empty() && out->path_and_query.front() == '/');
  auto again = config::parse_url(config::to_string(*out));
  FUZZ_CHECK(again && same(*again, *out));
  (void)config::forbidden_target_reason(out->host);
}

void fuzz_host_port(std::string_view text) {
  auto out = config::parse_host_port(text);
  if (!out) {
    FUZZ_CHECK(!out.message().empty());
    return;
  }
  FUZZ_CHECK(!out->host.empty());
  FUZZ_CHECK(out->port >= 1);
  (void)config::is_loopback_host(out->host);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_duration(text);
  fuzz_url(text);
  fuzz_host_port(text);
  (void)config::is_loopback_host(text);
  (void)config::forbidden_target_reason(text);
  return 0;
}
