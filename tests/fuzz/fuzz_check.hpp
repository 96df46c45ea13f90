#pragma once
// Shared helpers of the libFuzzer targets in tests/fuzz (see docs/testing.md). Header-only, test code only.
// A violated contract aborts with a message, which libFuzzer reports as a crash with a reproducer file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace spec_notify::fuzz {

[[noreturn]] inline void contract_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz contract violated: %s\n", file, line, what);
  std::abort();
}

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF; NUL bytes rejected too,
// because the parsers promise NUL-free output.
inline bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0)
      n = 1, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
      n = 2, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
      n = 3, cp = c & 0x07, min = 0x10000;
    else
      return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// Splits the input on '\n' into at most `parts` fields; the last field keeps the rest (newlines included).
// Multi-argument targets use this so their seed files stay readable one-field-per-line text.
inline std::vector<std::string_view> split_fields(std::string_view data, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const size_t nl = data.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(data.substr(0, nl));
    data.remove_prefix(nl + 1);
  }
  out.push_back(data);
  out.resize(parts);  // missing fields are empty
  return out;
}

}  // namespace spec_notify::fuzz

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::spec_notify::fuzz::contract_failed(#cond, __FILE__, __LINE__))
