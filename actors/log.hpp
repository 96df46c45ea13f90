#pragma once
// One-line structured logging to stderr for the daemon and its actors:
//   2026-11-25T01:02:03.456Z info  differ: message
// Level from $SPEC_NOTIFY_LOG (debug|info|warn|error; default info). Thread-safe: whole lines, never
// interleaved. Callers must never pass secrets or signature values.
#include <string_view>

namespace spec_notify::logging {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void write(level l, std::string_view component, std::string_view message);
bool enabled(level l);

inline void debug(std::string_view c, std::string_view m) {
  write(level::debug, c, m);
}
inline void info(std::string_view c, std::string_view m) {
  write(level::info, c, m);
}
inline void warn(std::string_view c, std::string_view m) {
  write(level::warn, c, m);
}
inline void error(std::string_view c, std::string_view m) {
  write(level::error, c, m);
}

}  // namespace spec_notify::logging
