// libFuzzer target: Retry-After parsing (actors/deliverer/retry_policy.hpp, parse_retry_after) against a
// fixed `now`. Checks: never throws, failure leaves `out` untouched, success gives a delay in
// [0, ~10 years] (past dates and negative values clamp to 0, huge values saturate).
#include <chrono>
#include <string_view>

#include "actors/deliverer/retry_policy.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace deliverer = spec_notify::deliverer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // 2025-10-04T14:15:27Z: a fixed clock keeps every run reproducible.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1759587327));
  const std::chrono::milliseconds sentinel{-7};
  std::chrono::milliseconds out = sentinel;
  if (!deliverer::parse_retry_after(text, now, out)) {
    FUZZ_CHECK(out == sentinel);
    return 0;
  }
  constexpr auto kEleven = std::chrono::hours(24 * 366 * 11);  // "~10 years" with room for rounding
  FUZZ_CHECK(out.count() >= 0);
  FUZZ_CHECK(out <= kEleven);
  return 0;
}
