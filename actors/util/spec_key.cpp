#include "actors/util/spec_key.hpp"

namespace spec_notify::util {

namespace {

bool all_digits(std::string_view token) {
  if (token.empty()) return false;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string spec_key(std::string_view spec_id) {
  size_t start = 0;
  while (start <= spec_id.size()) {
    const size_t dash = spec_id.find('-', start);
    const size_t end = dash == std::string_view::npos ? spec_id.size() : dash;
    if (all_digits(spec_id.substr(start, end - start))) return std::string(spec_id.substr(0, end));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  return std::string(spec_id);
}

}  // namespace spec_notify::util
