#include "actors/differ/spec_context.hpp"

#include <algorithm>

#include "actors/differ/spec_key.hpp"
#include "actors/router/payload.hpp"

namespace spec_notify::differ {
namespace {

constexpr size_t max_evidence_paths = 8;

void remember(std::deque<std::string>& list, const std::string& path) {
  list.erase(std::remove(list.begin(), list.end(), path), list.end());
  list.push_front(path);
  if (list.size() > max_evidence_paths) list.pop_back();
}

}  // namespace

std::string evidence_spec_folder(const std::string& rel_path) {
  auto last = rel_path.rfind('/');
  if (last == std::string::npos || last == 0) return "";
  auto prev = rel_path.rfind('/', last - 1);
  return rel_path.substr(prev == std::string::npos ? 0 : prev + 1,
                         last - (prev == std::string::npos ? 0 : prev + 1));
}

void spec_context::add_telemetry(const telemetry_summary& t) {
  auto& e = by_key_[spec_key(t.spec_id)];
  if (e.telemetry.path.empty() || t.timestamp >= e.telemetry.timestamp) e.telemetry = t;
  remember(e.evidence, t.path);
}

void spec_context::add_consensus(const std::string& spec_id, const consensus_summary& c) {
  auto& e = by_key_[spec_key(spec_id)];
  // Consensus files carry no comparable timestamp; names sort by their embedded time, so keep the greatest.
  if (e.consensus.path.empty() || c.path >= e.consensus.path) e.consensus = c;
  remember(e.evidence, c.path);
}

std::string spec_context::json_for(const std::string& spec_id) const {
  using router::json_string;
  auto it = spec_id.empty() ? by_key_.end() : by_key_.find(spec_key(spec_id));
  if (it == by_key_.end()) return R"({"telemetry":null,"consensus":null,"evidence":[]})";
  const auto& e = it->second;
  std::string out = "{\"telemetry\":";
  if (e.telemetry.path.empty()) {
    out += "null";
  } else {
    const auto& t = e.telemetry;
    out += "{\"command\":" + json_string(t.command) + ",\"session_id\":" + json_string(t.session_id) +
           ",\"timestamp\":" + json_string(t.timestamp) + ",\"stage\":" + json_string(t.stage) +
           ",\"status\":" + json_string(t.status) + ",\"path\":" + json_string(t.path) + "}";
  }
  out += ",\"consensus\":";
  if (e.consensus.path.empty()) {
    out += "null";
  } else {
    const auto& c = e.consensus;
    out += "{\"status\":" + json_string(c.status) + ",\"agreements\":" + std::to_string(c.agreements) +
           ",\"conflicts\":" + std::to_string(c.conflicts) + ",\"stage\":" + json_string(c.stage) +
           ",\"path\":" + json_string(c.path) + "}";
  }
  out += ",\"evidence\":[";
  for (size_t i = 0; i < e.evidence.size(); ++i) out += (i ? "," : "") + json_string(e.evidence[i]);
  out += "]}";
  return out;
}

}  // namespace spec_notify::differ
