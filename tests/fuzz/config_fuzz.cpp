// libFuzzer target: the TOML configuration loader (config/settings.hpp, load_settings_text), which also runs
// the duration, URL, host:port and secret validation on whatever values the fuzzer writes. Every secret_env
// resolves to one fixed, valid whsec_ secret. Checks: never throws, problems are located (line/col >= 0) and
// never quote the secret value, ok() agrees with the problem list, accepted durations stay under 100 years.
#include <optional>
#include <string>
#include <string_view>

#include "config/duration.hpp"
#include "config/settings.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace config = spec_notify::config;

namespace {

// Fixed, valid, and never written in any seed: if it shows up in a message, the loader leaked it.
constexpr std::string_view kSecretBody = "ZnV6ei1zZWNyZXQtbmV2ZXItcHJpbnQtbWUtMDEyMzQ1";  // 33 bytes
const std::string kSecret = "whsec_" + std::string(kSecretBody);

std::optional<std::string> fixed_env(const std::string&) {
  return kSecret;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // base_dir is absolute and need not exist: the loader only builds paths (and stats ca_file).
  const config::load_result r =
      config::load_settings_text(text, "fuzz.toml", "/nonexistent/spec-notify-fuzz", fixed_env);

  const bool input_has_secret = text.find(kSecretBody) != std::string_view::npos;
  bool any_error = false;
  for (const auto& p : r.problems) {
    FUZZ_CHECK(p.line >= 0 && p.col >= 0);
    FUZZ_CHECK(!p.message.empty());
    any_error = any_error || !p.warning;
    const std::string line = p.to_string();
    if (!input_has_secret) FUZZ_CHECK(line.find(kSecretBody) == std::string::npos);
  }
  FUZZ_CHECK(r.ok() == !any_error);
  if (r.ok()) {
    for (const auto& sub : r.value.subscriptions) {
      FUZZ_CHECK(sub.max_in_flight >= 1 && sub.max_in_flight <= 256);
      FUZZ_CHECK(sub.retry.max_attempts >= 1 && sub.retry.max_attempts <= 100);
      FUZZ_CHECK(sub.retry.initial_backoff <= sub.retry.max_backoff);
      FUZZ_CHECK(sub.retry.multiplier >= 1.0 && sub.retry.multiplier <= 100.0);
      FUZZ_CHECK(sub.timeout <= config::kMaxDuration && sub.retry.max_backoff <= config::kMaxDuration);
      FUZZ_CHECK(sub.disabled_reason.empty() || !sub.enabled);  // disabled by validation => off
    }
  }
  return 0;
}
