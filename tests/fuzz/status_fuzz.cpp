// libFuzzer target: Status cell normalisation (actors/differ/status.hpp). Checks: never throws, always one of
// the six categories, canonical names round-trip, strip_emphasis leaves no emphasis and no outer space.
#include <string>
#include <string_view>

#include "actors/differ/status.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace differ = spec_notify::differ;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const differ::task_status s = differ::normalise_status(text);
  const char* name = differ::canonical_name(s);
  FUZZ_CHECK(name != nullptr);
  differ::task_status back = differ::task_status::other;
  FUZZ_CHECK(differ::parse_canonical(name, back) && back == s);
  // Normalisation is idempotent on its own canonical output.
  FUZZ_CHECK(differ::normalise_status(name) == s || s == differ::task_status::other);

  const std::string stripped = differ::strip_emphasis(text);
  FUZZ_CHECK(stripped.find_first_of("*_`~") == std::string::npos);
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  FUZZ_CHECK(stripped.empty() || (!is_space(stripped.front()) && !is_space(stripped.back())));
  differ::task_status ignored = differ::task_status::other;
  (void)differ::parse_canonical(text, ignored);
  return 0;
}
