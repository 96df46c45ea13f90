#include "actors/differ/spec_context.hpp"

#include <algorithm>

#include "actors/differ/spec_key.hpp"
#include "actors/util/json_text.hpp"

namespace spec_notify::differ {
namespace {

constexpr size_t max_evidence_paths = 8;
// Consensus records kept per SPEC for run matching (real SPECs hold a few dozen); past it the smallest path,
// i.e. the oldest run by its embedded time, goes.
constexpr size_t max_consensus_records = 4096;

void remember(std::deque<std::string>& list, const std::string& path) {
  list.erase(std::remove(list.begin(), list.end(), path), list.end());
  list.push_front(path);
  if (list.size() > max_evidence_paths) list.pop_back();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Candidate ranking for consensus_of: a link by name beats a run-time match; a synthesis beats a
// telemetry.jsonl; then the greatest path.
int link_rank(const consensus_summary& c, const telemetry_summary& t) {
  if (!c.telemetry.empty()) return same_evidence_file(c.telemetry, t.path) ? 2 : 0;
  return !c.run.empty() && c.run == t.timestamp ? 1 : 0;
}

std::string telemetry_json(const telemetry_summary& t) {
  using util::json_string;
  return "{\"command\":" + json_string(t.command) + ",\"session_id\":" + json_string(t.session_id) +
         ",\"timestamp\":" + json_string(t.timestamp) + ",\"stage\":" + json_string(t.stage) +
         ",\"status\":" + json_string(t.status) + ",\"path\":" + json_string(t.path) + "}";
}

std::string consensus_json(const consensus_summary& c) {
  using util::json_string;
  return "{\"status\":" + json_string(c.status) + ",\"agreements\":" + std::to_string(c.agreements) +
         ",\"conflicts\":" + std::to_string(c.conflicts) + ",\"stage\":" + json_string(c.stage) +
         ",\"path\":" + json_string(c.path) + "}";
}

}  // namespace

event_context conflict_context(const std::string& path, int agreements, const consensus_conflict& k,
                               const telemetry_summary* named) {
  using util::append_json_string;
  auto list = [](std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, items[i]);
    }
    out += ']';
  };
  event_context ctx;
  if (named) ctx.telemetry = telemetry_json(*named);
  std::string& out = ctx.consensus;
  out = "{\"status\":";
  append_json_string(out, k.status);
  out += ",\"agreements\":" + std::to_string(agreements) + ",\"conflicts\":" + std::to_string(k.total_points);
  out += ",\"stage\":";
  append_json_string(out, k.stage);
  out += ",\"path\":";
  append_json_string(out, path);
  out += ",\"conflict_points\":";
  list(out, k.points);
  out += std::string(",\"conflicts_truncated\":") + (k.points_truncated ? "true" : "false");
  out += ",\"agents\":";
  list(out, k.agents);
  out += std::string(",\"agents_truncated\":") + (k.agents_truncated ? "true" : "false");
  out += ",\"telemetry\":";
  if (k.telemetry.empty())
    out += "null";
  else
    append_json_string(out, k.telemetry);
  out += '}';
  ctx.evidence.push_back(path);
  if (named) ctx.evidence.push_back(named->path);
  return ctx;
}

std::string evidence_spec_folder(const std::string& rel_path) {
  auto last = rel_path.rfind('/');
  if (last == std::string::npos || last == 0) return "";
  auto prev = rel_path.rfind('/', last - 1);
  return rel_path.substr(prev == std::string::npos ? 0 : prev + 1,
                         last - (prev == std::string::npos ? 0 : prev + 1));
}

void spec_context::add_telemetry(const telemetry_summary& t) {
  auto& e = by_key_[spec_key(t.spec_id)];
  // Ties on the timestamp go to the greater path, so arrival order never decides.
  const auto& cur = e.telemetry;
  if (cur.path.empty() || cur.path == t.path || t.timestamp > cur.timestamp ||
      (t.timestamp == cur.timestamp && t.path > cur.path))
    e.telemetry = t;
  remember(e.evidence, t.path);
}

void spec_context::add_consensus(const std::string& spec_id, const consensus_summary& c) {
  auto& e = by_key_[spec_key(spec_id)];
  // Consensus files carry no comparable timestamp; names sort by their embedded time, so keep the greatest.
  if (e.consensus.path.empty() || c.path >= e.consensus.path) e.consensus = c;
  e.records[c.path] = c;
  if (e.records.size() > max_consensus_records) e.records.erase(e.records.begin());
  remember(e.evidence, c.path);
}

const consensus_summary* spec_context::consensus_of(const telemetry_summary& t) const {
  auto it = by_key_.find(spec_key(t.spec_id));
  if (it == by_key_.end() || t.stage.empty()) return nullptr;
  const consensus_summary* best = nullptr;
  int best_rank = 0;
  bool best_synthesis = false;
  for (const auto& [path, c] : it->second.records) {  // ascending path: a later equal candidate wins
    if (c.stage != t.stage) continue;
    const int rank = link_rank(c, t);
    if (rank == 0) continue;
    const bool synthesis = ends_with(path, "_synthesis.json");
    if (rank > best_rank || (rank == best_rank && synthesis >= best_synthesis)) {
      best = &c;
      best_rank = rank;
      best_synthesis = synthesis;
    }
  }
  return best;
}

bool spec_context::has_consensus(const std::string& spec_id, const std::string& path) const {
  auto it = by_key_.find(spec_key(spec_id));
  return it != by_key_.end() && it->second.records.count(path) > 0;
}

event_context spec_context::context_for_run(const telemetry_summary& t) const {
  event_context ctx;
  ctx.telemetry = telemetry_json(t);
  ctx.evidence.push_back(t.path);
  if (const consensus_summary* c = consensus_of(t)) {
    ctx.consensus = consensus_json(*c);
    ctx.evidence.push_back(c->path);
  }
  return ctx;
}

event_context spec_context::context_for(const std::string& spec_id) const {
  event_context ctx;
  auto it = spec_id.empty() ? by_key_.end() : by_key_.find(spec_key(spec_id));
  if (it == by_key_.end()) return ctx;
  const auto& e = it->second;
  if (!e.telemetry.path.empty()) ctx.telemetry = telemetry_json(e.telemetry);
  if (!e.consensus.path.empty()) ctx.consensus = consensus_json(e.consensus);
  ctx.evidence.assign(e.evidence.begin(), e.evidence.end());
  return ctx;
}

}  // namespace spec_notify::differ
