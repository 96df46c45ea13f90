#include "actors/deliverer/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace spec_notify::deliverer {
namespace {

constexpr int64_t kMaxDelaySeconds = int64_t(10) * 366 * 24 * 3600;

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kShortDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char* kLongDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

template <size_t N>
bool one_of(const char* s, const char* const (&names)[N]) {
  for (const char* n : names)
    if (std::strcmp(s, n) == 0) return true;
  return false;
}

int month_index(const char* s) {
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(s, kMonths[i]) == 0) return i + 1;
  return 0;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool valid_fields(int year, int month, int day, int hour, int minute, int second) {
  return year >= 1900 && year <= 9999 && month >= 1 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 &&
         minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

// The three date forms RFC 9110 section 5.6.7 requires recipients to accept. sscanf's %n checks that the
// whole value was consumed, so trailing garbage is rejected.
bool parse_http_date(const std::string& s, int now_year, int64_t& unix_seconds) {
  char wday[16] = {}, mon[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, used = 0;
  const int len = static_cast<int>(s.size());
  bool ok = false;
  if (std::sscanf(s.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &day, mon, &year,
                  &hour, &minute, &second, &used) == 7 &&
      used == len && one_of(wday, kShortDays)) {
    ok = true;  // IMF-fixdate
  } else if (used = 0; std::sscanf(s.c_str(), "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wday, &day,
                                   mon, &year, &hour, &minute, &second, &used) == 7 &&
                       used == len && one_of(wday, kLongDays)) {
    // RFC 850 two-digit year: a year more than 50 years in the future means the previous century.
    year += 2000;
    if (year > now_year + 50) year -= 100;
    ok = true;
  } else if (used = 0; std::sscanf(s.c_str(), "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &day,
                                   &hour, &minute, &second, &year, &used) == 7 &&
                       used == len && one_of(wday, kShortDays)) {
    ok = true;  // asctime
  }
  const int month = month_index(mon);
  if (!ok || month == 0 || !valid_fields(year, month, day, hour, minute, second)) return false;
  unix_seconds =
      days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + hour * 3600 + minute * 60 + second;
  return true;
}

int year_of(int64_t unix_seconds) {
  // Civil year from days (inverse of days_from_civil, year part only).
  int64_t z = unix_seconds / 86400 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  return static_cast<int>(yoe + era * 400 + (mp >= 10 ? 1 : 0));
}

}  // namespace

const char* to_string(response_class c) {
  switch (c) {
    case response_class::delivered:
      return "delivered";
    case response_class::retry:
      return "retry";
    case response_class::disable:
      return "disable";
    case response_class::throttled:
      return "throttled";
  }
  return "unknown";
}

response_class classify(int status_code) {
  if (status_code >= 200 && status_code <= 299) return response_class::delivered;
  if (status_code == 410) return response_class::disable;
  if (status_code == 429 || status_code == 503) return response_class::throttled;
  return response_class::retry;
}

std::chrono::milliseconds full_jitter_backoff(int attempts_made, const backoff_params& params,
                                              std::mt19937_64& rng) {
  const double initial = std::max<double>(0.0, static_cast<double>(params.initial.count()));
  const double max = std::max<double>(0.0, static_cast<double>(params.max.count()));
  const int exponent = std::max(attempts_made, 1) - 1;
  double cap = initial * std::pow(std::max(params.multiplier, 0.0), exponent);
  if (!std::isfinite(cap) || cap > max) cap = max;  // pow overflows to inf long before int64 would
  const auto upper = static_cast<int64_t>(cap);
  std::uniform_int_distribution<int64_t> dist(0, upper);
  return std::chrono::milliseconds(dist(rng));
}

bool parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now,
                       std::chrono::milliseconds& out) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  if (value.empty()) return false;

  std::string_view digits = value;
  const bool negative = digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (!digits.empty() &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    for (char c : digits) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxDelaySeconds) {
        seconds = kMaxDelaySeconds;
        break;
      }
    }
    out = std::chrono::seconds(negative ? 0 : seconds);
    return true;
  }

  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  int64_t at = 0;
  if (!parse_http_date(std::string(value), year_of(now_s), at)) return false;
  // system_clock counts nanoseconds: from_time_t overflows (UB) for dates after 2262. Saturate first.
  if (at - now_s > kMaxDelaySeconds) at = now_s + kMaxDelaySeconds + 1;
  const auto delay = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(at)) - now;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay);
  out = std::clamp(ms, std::chrono::milliseconds(0), std::chrono::milliseconds(kMaxDelaySeconds * 1000));
  return true;
}

std::optional<std::chrono::milliseconds> retry_after_delay(std::string_view value,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds max_backoff) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  if (value.empty() || value.front() == '-' || value.front() == '+') return std::nullopt;
  const auto cap = std::max(max_backoff, std::chrono::milliseconds(0));
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // parse_retry_after saturates; here a value that does not fit is a broken header, so it is ignored.
    constexpr int64_t kMaxSeconds = INT64_MAX / 1000;
    int64_t seconds = 0;
    for (char c : value) {
      if (seconds > (kMaxSeconds - (c - '0')) / 10) return std::nullopt;
      seconds = seconds * 10 + (c - '0');
    }
    return std::min(std::chrono::milliseconds(seconds * 1000), cap);
  }
  std::chrono::milliseconds delay{0};
  if (!parse_retry_after(value, now, delay) || delay.count() <= 0) return std::nullopt;
  return std::min(delay, cap);
}

}  // namespace spec_notify::deliverer
