#pragma once
// One-line structured logging to stderr for the daemon and its actors:
//   2026-11-25T01:02:03.456Z info  differ: message
// Level from $SPEC_NOTIFY_LOG (debug|info|warn|error; default info). Thread-safe: whole lines, never
// interleaved. Callers must never pass secrets or signature values.
// One message is exactly one line: control characters in the component and message (they often carry repo
// content: task ids, titles, SPEC folder names, paths) are escaped (escape_controls), so a newline in a
// folder name cannot forge a log line and an ESC cannot drive the reader's terminal.
#include <string>
#include <string_view>

namespace spec_notify::logging {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

// `text` with every control character made visible: \n \r \t as those two-character escapes, the other C0
// controls, DEL and ESC as \xNN, and the UTF-8-encoded C1 controls (U+0080..U+009F, e.g. the 8-bit CSI) as
// \u00NN. All other bytes pass unchanged (JSON output has its own escaping). Also used by the terminal
// renderings of --list and the admin shell. Pure, thread-safe.
std::string escape_controls(std::string_view text);

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
