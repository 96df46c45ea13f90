#include "config/duration.hpp"

#include <cctype>
#include <cstdint>
#include <limits>

namespace spec_notify::config {
namespace {

struct unit {
  std::string_view suffix;
  int64_t millis;
};

// Longest suffix first so that "ms" is not read as "m" + junk.
constexpr unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

constexpr std::string_view kExpected =
    "expected a non-negative integer followed by a unit (ms, s, m, h, d), e.g. \"10s\"";

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) {
    return status::failure("empty duration; " + std::string(kExpected));
  }
  if (text.front() == '-') {
    return status::failure("negative duration " + quoted(text) + "; " + std::string(kExpected));
  }
  size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits])) ++digits;
  if (digits == 0) {
    return status::failure("invalid duration " + quoted(text) + "; " + std::string(kExpected));
  }
  std::string_view number = text.substr(0, digits), suffix = text.substr(digits);
  if (!suffix.empty() && (suffix.front() == '.' || suffix.front() == ',')) {
    return status::failure("fractional duration " + quoted(text) +
                           " is not supported; use a smaller unit (e.g. \"1500ms\")");
  }
  if (suffix.empty()) {
    return status::failure("missing unit in duration " + quoted(text) + "; " + std::string(kExpected));
  }
  const unit* found = nullptr;
  for (const auto& u : kUnits)
    if (suffix == u.suffix) found = &u;
  if (!found) {
    return status::failure("unknown unit " + quoted(suffix) + " in duration " + quoted(text) + "; " +
                           std::string(kExpected));
  }
  // Accumulate in milliseconds, checking each step so that neither the number nor the scaled value wraps.
  constexpr int64_t kMax = std::numeric_limits<std::chrono::milliseconds::rep>::max();
  int64_t value = 0;
  for (char c : number) {
    int64_t d = c - '0';
    if (value > (kMax - d) / 10) {
      value = -1;
      break;
    }
    value = value * 10 + d;
  }
  if (value < 0 || value > kMax / found->millis || value * found->millis > kMaxDuration.count()) {
    return status::failure("duration " + quoted(text) + " is too large (at most " +
                           format_duration(kMaxDuration) + ", 100 years)");
  }
  return std::chrono::milliseconds(value * found->millis);
}

std::string format_duration(std::chrono::milliseconds value) {
  int64_t ms = value.count();
  if (ms == 0) return "0s";
  std::string sign;
  uint64_t magnitude = static_cast<uint64_t>(ms);
  if (ms < 0) {
    sign = "-";
    magnitude = 0 - magnitude;  // well-defined for INT64_MIN too
  }
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    auto m = static_cast<uint64_t>(it->millis);
    if (magnitude % m == 0) return sign + std::to_string(magnitude / m) + std::string(it->suffix);
  }
  return sign + std::to_string(magnitude) + "ms";  // unreachable: ms divides everything
}

}  // namespace spec_notify::config
