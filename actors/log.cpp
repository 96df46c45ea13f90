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

}  // namespace

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
  line.append(stamp).append(" ").append(name(l)).append(" ").append(component).append(": ").append(message);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace spec_notify::logging
