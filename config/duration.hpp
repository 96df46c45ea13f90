#pragma once
// Duration strings of the configuration: a non-negative integer immediately followed by one unit,
// `250ms`, `10s`, `5m`, `2h`, `7d`. No sign, no fraction, no spaces, no compound forms ("1h30m").
// Pure functions, thread-safe, used by config/settings.cpp and by any command taking a duration (--since
// 24h).
#include <chrono>
#include <string>
#include <string_view>

#include "messages/status.hpp"

namespace spec_notify::config {

// The largest duration any key or option accepts: 36500d (100 years). Far below what overflows
// std::chrono::milliseconds or steady_clock / system_clock time points when added to now(), so
// `now() + d` is safe for every parsed d. Keys have tighter limits of their own (docs/configuration.md).
inline constexpr std::chrono::milliseconds kMaxDuration{36500LL * 86'400'000LL};

// Parses `text`. On failure the status is a one-line message that quotes the text and says what is wrong
// (empty, negative, fractional, missing unit, unknown unit, larger than kMaxDuration).
result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling in the largest unit that divides the value: 7d, 90s, 1500ms, 0s.
// *parse_duration(format_duration(d)) == d for every d >= 0. Negative values get a leading '-' (display
// only).
std::string format_duration(std::chrono::milliseconds value);

}  // namespace spec_notify::config
