#pragma once
// The evidence context of each SPEC that every event's payload carries: the latest telemetry v1 summary, the
// latest consensus summary, and recent evidence paths. Keyed by the SPEC's short key (spec_key), because
// telemetry folders use either the short key (SPEC-KIT-018) or the full slug while task rows use the slug.
// Owned by the differ engine (single-threaded use). In memory only: rebuilt from the files at every start,
// since the watcher's first report lists every evidence file.
#include <deque>
#include <map>
#include <string>

#include "actors/differ/telemetry.hpp"

namespace spec_notify::differ {

class spec_context {
 public:
  void add_telemetry(const telemetry_summary& t);
  void add_consensus(const std::string& spec_id, const consensus_summary& c);
  // {"telemetry":{...}|null,"consensus":{...}|null,"evidence":[...]} for `spec_id` ("" -> all null/empty).
  std::string json_for(const std::string& spec_id) const;

 private:
  struct entry {
    telemetry_summary telemetry;  // latest by timestamp (ISO 8601 strings compare in time order)
    consensus_summary consensus;
    std::deque<std::string> evidence;  // newest first, bounded
  };
  std::map<std::string, entry> by_key_;
};

// The SPEC folder of an evidence path: .../{commands,consensus}/<SPEC>/<file> -> <SPEC>.
std::string evidence_spec_folder(const std::string& rel_path);

}  // namespace spec_notify::differ
