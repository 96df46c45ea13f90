#include "actors/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>

namespace spec_notify::logging {
namespace {

level threshold() {
  // Read once: the level is a process setting, not something that changes at run time.
  static const level value = [] {
    const char* env = std::getenv("SPEC_NOTIFY_LOG");
    if (!env) return level::info;
    if (!std::strcmp(env, "debug")) return level::debug;
    if (!std::strcmp(env, "warn")) return level::warn;
    if (!std::strcmp(env, "error")) return level::error;
    return level::info;
  }();
  return value;
}

const char* name(level l) {
  switch (l) {
    case level::debug:
      return "debug";
    case level::info:
      return "info ";
    case level::warn:
      return "warn ";
    case level::error:
      return "error";
  }
  return "?";
}

std::mutex& output_mutex() {
  static std::mutex m;
  return m;
}

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == 0xc2;
}

}  // namespace

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == 0xc2) {
      // U+0080..U+009F are C2 80..C2 9F in UTF-8; any other C2 sequence is an ordinary character.
      const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
      if (next >= 0x80 && next <= 0x9f) {
        out += "\\u00";
        out.push_back(hex[next >> 4]);
        out.push_back(hex[next & 0xf]);
        ++i;
      } else {
        out.push_back(static_cast<char>(c));
      }
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

bool enabled(level l) {
  return l >= threshold();
}

void write(level l, std::string_view component, std::string_view message) {
  if (!enabled(l)) return;
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line;
  line.reserve(message.size() + component.size() + 40);
  line.append(stamp).append(" ").append(name(l)).append(" ");
  line.append(escape_controls(component)).append(": ").append(escape_controls(message));
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace spec_notify::logging
