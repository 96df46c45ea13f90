#pragma once
// What to do with an HTTP attempt's outcome, and when to try again. Pure functions: no clock reads, no I/O,
// randomness only from the generator the caller passes (so tests can seed it).
//
// Contract (the delivery rules of docs/configuration.md "[notify.subscriptions.retry]"): 2xx delivered; 3xx
// is a failure (redirects are not followed); 410 disables the subscription; 429 and 503 are throttling and
// honour Retry-After; every other status, and no response at all (timeout, reset, refused, DNS, TLS), is
// retried with exponential backoff and full jitter.
#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace spec_notify::deliverer {

enum class response_class {
  delivered,  // 2xx
  retry,      // 1xx, 3xx, other 4xx/5xx, and status 0 (no response)
  disable,    // 410 Gone: stop delivering to this subscription, keep its events for replay
  throttled,  // 429, 503: retry no earlier than Retry-After (when given), else like `retry`
};
const char* to_string(response_class c);

// `status_code` 0 means no response arrived.
response_class classify(int status_code);

struct backoff_params {
  int max_attempts = 10;
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{600000};
  double multiplier = 2.0;
};

// Full jitter: uniform in [0, min(max, initial * multiplier^(attempts_made - 1))] milliseconds.
// attempts_made < 1 is treated as 1. Never overflows: the exponential is computed in floating point and
// capped.
std::chrono::milliseconds full_jitter_backoff(int attempts_made, const backoff_params& params,
                                              std::mt19937_64& rng);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP date in IMF-fixdate ("Sun, 06 Nov 1994
// 08:49:37 GMT"), obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6 08:49:37 1994")
// form. `out` is the delay from `now`; dates in the past and negative delta-seconds give 0. Surrounding white
// space is ignored. Returns false (out untouched) for anything else. Huge values saturate at ~10 years;
// callers clamp to their own policy (e.g. max_backoff).
bool parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now,
                       std::chrono::milliseconds& out);

// The wait a throttled (429/503) attempt's Retry-After asks for, as the scheduler applies it: the parsed
// delay capped at `max_backoff`, or nullopt when the header is to be ignored and normal jittered backoff
// applies instead. Ignored: anything parse_retry_after rejects, a sign ("-5", "+5"), delta-seconds too large
// for a 64-bit millisecond count (an overflow, not a request to wait), and an HTTP date that is not in the
// future (a past date is a server clock problem, not "retry now"). "0" is honoured as "retry now".
// Called by schedule::complete(); pure (the caller passes `now`).
std::optional<std::chrono::milliseconds> retry_after_delay(std::string_view value,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds max_backoff);

}  // namespace spec_notify::deliverer
