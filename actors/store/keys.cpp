#include "actors/store/keys.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace spec_notify::store {
namespace {

constexpr const char* sub_prefix = "sub/";

bool strip(const std::string& key, const char* prefix, std::string& rest) {
  const size_t n = std::strlen(prefix);
  if (key.compare(0, n, prefix) != 0) return false;
  rest = key.substr(n);
  return true;
}

// <prefix><sub>/<tail>: the first '/' ends the name (it cannot hold one). `tail_may_nest` admits a tail
// with '/' of its own (ordering keys); ids and field names have none.
bool split_sub(const std::string& key, const char* prefix, std::string& sub, std::string& tail,
               bool tail_may_nest) {
  std::string rest;
  if (!strip(key, prefix, rest)) return false;
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return false;
  sub = rest.substr(0, slash);
  tail = rest.substr(slash + 1);
  if (!key_safe_subscription(sub)) return false;
  return tail_may_nest || (!tail.empty() && tail.find('/') == std::string::npos);
}

// Spelled once: sub_key builds from this table and parse_sub_key looks names up in it.
constexpr std::array<std::pair<sub_field, const char*>, 4> sub_fields{{{sub_field::disabled, "disabled"},
                                                                       {sub_field::paused, "paused"},
                                                                       {sub_field::rate, "rate"},
                                                                       {sub_field::breaker, "breaker"}}};

bool format_1_id(const std::string& key, const char* prefix, std::string& id) {
  return strip(key, prefix, id) && !id.empty() && id.find('/') == std::string::npos;
}

}  // namespace

bool key_safe_subscription(const std::string& sub) {
  return !sub.empty() && std::all_of(sub.begin(), sub.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string past_prefix(const std::string& prefix) {
  std::string end = prefix;
  end.back() = static_cast<char>(end.back() + 1);  // '/' + 1 = '0'
  return end;
}

std::string task_prefix(const std::string& file) {
  return task_prefix_all + file + std::string(1, '\0');
}
std::string task_key(const std::string& file, const std::string& task_id) {
  return task_prefix(file) + task_id;
}
bool parse_task_key(const std::string& key, std::string& file, std::string& task_id) {
  std::string rest;
  if (!strip(key, task_prefix_all, rest)) return false;
  const size_t nul = rest.find('\0');
  if (nul == std::string::npos) return false;
  file = rest.substr(0, nul);
  task_id = rest.substr(nul + 1);
  return true;
}

std::string event_key(const std::string& id) {
  return event_prefix + id;
}
bool parse_event_key(const std::string& key, std::string& id) {
  return strip(key, event_prefix, id) && !id.empty();
}

std::string sub_keyspace::range(const std::string& sub) const {
  return prefix_ + sub + "/";
}
std::string sub_keyspace::key(const std::string& sub, const std::string& tail) const {
  return range(sub) + tail;
}
bool sub_keyspace::parse(const std::string& key, std::string& sub, std::string& tail) const {
  return split_sub(key, prefix_, sub, tail, tail_may_nest_);
}

std::string sub_key(const std::string& sub, sub_field field) {
  for (const auto& [f, name] : sub_fields)
    if (f == field) return sub_prefix + sub + "/" + name;
  return {};  // unreachable: every enumerator is in the table
}
bool parse_sub_key(const std::string& key, std::string& sub, sub_field& field) {
  std::string name;
  if (!split_sub(key, sub_prefix, sub, name, false)) return false;
  for (const auto& [f, n] : sub_fields) {
    if (name == n) {
      field = f;
      return true;
    }
  }
  return false;
}

std::string seen_key(const std::string& rel) {
  return seen_prefix + rel;
}
bool parse_seen_key(const std::string& key, std::string& rel) {
  return strip(key, seen_prefix, rel) && !rel.empty();
}

namespace format_1 {
bool parse_delivery_key(const std::string& key, std::string& id) {
  return format_1_id(key, delivery_prefix, id);
}
bool parse_dead_key(const std::string& key, std::string& id) {
  return format_1_id(key, dead_prefix, id);
}
}  // namespace format_1

}  // namespace spec_notify::store
