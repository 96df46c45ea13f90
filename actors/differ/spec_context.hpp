#pragma once
// The evidence context every event's payload carries (event_context: `telemetry`, `consensus`, `evidence`),
// in two forms:
//   - task events: the SPEC's latest telemetry v1 summary, latest consensus summary and recent evidence paths
//     (context_for);
//   - stage / pipeline events: the telemetry file that produced the event and the consensus record of that
//     same run (context_for_run), so the pointer never depends on which other files exist or arrived first.
// Each object is rendered here, once, as the compact JSON the payload splices in (router/payload.hpp).
// Keyed by the SPEC's short key (spec_key), because telemetry folders use either the short key
// (SPEC-KIT-018) or the full slug while task rows use the slug.
// Owned by the differ engine (single-threaded use). In memory only: rebuilt from the files at every start,
// since the watcher's first report lists every evidence file.
#include <deque>
#include <map>
#include <string>

#include "actors/differ/telemetry.hpp"
#include "messages/event.hpp"

namespace spec_notify::differ {

class spec_context {
 public:
  void add_telemetry(const telemetry_summary& t);
  void add_consensus(const std::string& spec_id, const consensus_summary& c);
  // The context of `spec_id` ("" or unknown -> null, null, no evidence): the latest telemetry (greatest
  // timestamp, then path) and consensus (greatest path) of the SPEC and its recent evidence paths, newest
  // first.
  event_context context_for(const std::string& spec_id) const;
  // The context of the stage run `t`: telemetry = `t` itself; consensus = consensus_of(t) or null;
  // evidence = [t.path, consensus path].
  event_context context_for_run(const telemetry_summary& t) const;
  // The consensus record of t's run among those added so far, or null: a record of the same SPEC key and
  // stage that names t's file in its `telemetry` member; else one whose run time equals t.timestamp (and that
  // names no other file). Several candidates: a _synthesis.json before a _telemetry.jsonl, then the greatest
  // path, so the choice does not depend on the order the records were added in.
  const consensus_summary* consensus_of(const telemetry_summary& t) const;
  // Whether the consensus record at `path` (of the SPEC `spec_id`) has been added.
  bool has_consensus(const std::string& spec_id, const std::string& path) const;

 private:
  struct entry {
    telemetry_summary telemetry;  // latest by timestamp (ISO 8601 strings compare in time order)
    consensus_summary consensus;  // latest by path
    std::map<std::string, consensus_summary> records;  // every consensus record by path (bounded)
    std::deque<std::string> evidence;                  // newest first, bounded
  };
  std::map<std::string, entry> by_key_;
};

// The context of a spec-auto.consensus.conflict event: telemetry = `named` (the telemetry file the synthesis
// points at, read by the engine) or null; consensus = the synthesis at `path` with the usual summary members
// (status, agreements, conflicts = the number of conflicting points, stage, path) and the conflict itself
// (conflict_points, conflicts_truncated, agents, agents_truncated, telemetry = the pointer as written or
// null); evidence = [path, named's path].
event_context conflict_context(const std::string& path, int agreements, const consensus_conflict& k,
                               const telemetry_summary* named);

// The SPEC folder of an evidence path: .../{commands,consensus}/<SPEC>/<file> -> <SPEC>.
std::string evidence_spec_folder(const std::string& rel_path);

}  // namespace spec_notify::differ
