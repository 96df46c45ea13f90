#pragma once
// Reads the spec-auto guardrail evidence a SPEC accumulates, for payload context (`telemetry`, `consensus`)
// and stage events:
//   telemetry v1:  <evidence>/commands/<SPEC-ID>/spec-<stage>_<sessionId>.json
//   consensus:     <evidence>/consensus/<SPEC-ID>/spec-<stage>_..._synthesis.json and ..._telemetry.jsonl
// (formats: docs of the Spec Kit repo, summarised in design/spec-kit-formats.md).
// Called by the differ for changed evidence files. Pure functions, thread-safe, persist nothing. They never
// throw: unknown shapes come back `skipped`, unparsable text `error`, each with a reason naming the file.
// All returned strings are valid UTF-8.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spec_notify::differ {

struct telemetry_summary {
  std::string command;     // e.g. "spec-ops-validate"
  std::string session_id;  // sessionId, else the <sessionId> part of the file name
  std::string timestamp;   // as written, e.g. "2025-10-04T14:15:27Z"
  std::string stage;    // plan | tasks | implement | validate | audit | unlock (from command, else file name)
  std::string status;   // passed | failed | unknown, derived per stage (see read_telemetry)
  std::string path;     // rel_path as given
  std::string spec_id;  // specId, else the <SPEC-ID> folder of the path
};

struct consensus_summary {
  std::string status;  // as written: ok | conflict | degraded | ...
  int agreements = 0, conflicts = 0;
  std::string path;   // rel_path as given
  std::string stage;  // plan | tasks | ... ("spec-" prefix removed)
  // The consensus run's time: the <ts> of spec-<stage>_<ts>_synthesis.json / _telemetry.jsonl, else (jsonl)
  // the record's timestamp; "" when neither. The guardrail telemetry of the same run carries the same
  // `timestamp` (real evidence: spec-plan telemetry timestamp 2025-10-06T00:19:45Z <-> consensus
  // spec-plan_2025-10-06T00:19:45Z_*).
  std::string run;
  // The telemetry file the record names in its `telemetry` member (real _synthesis.json files do), as
  // written; "" when it names none.
  std::string telemetry;
};

enum class read_status { ok, skipped, error };

struct telemetry_read {
  read_status status = read_status::error;
  telemetry_summary value;  // meaningful when ok
  std::string reason;       // why skipped / error, starting with the file ("path: ...")
};

// Telemetry v1 only: schemaVersion must be the integer 1 (a missing schemaVersion, as in per-agent files, or
// any other value such as "2.0" is skipped), and unfilled `${...}` placeholders are skipped.
// Status per stage; a component is failed when its value is failed/fail/error, passed when it is a known good
// value (passed, ok, ready, locked, unlocked, success, skipped, ...):
//   plan: baseline.status (+ every hooks.* value); tasks: tool.status; implement: lock_status + hook_status;
//   validate/audit: every scenarios[].status + hal.summary.status; unlock: unlock_status.
// Any failed component -> "failed"; else all present components good and the stage's main one present
// -> "passed"; else "unknown".
telemetry_read read_telemetry(std::string_view json_text, std::string_view rel_path);

struct consensus_read {
  read_status status = read_status::error;
  consensus_summary value;
  std::string reason;
};

// `_synthesis.json`: {stage, status, consensus{agreements[], conflicts[]}, telemetry?}. `_telemetry.jsonl`:
// the last non-empty line, {command, timestamp, consensus{status, agreements, conflicts, ...}} (any
// schemaVersion). Counts accept arrays (their size) or numbers. Unfilled `${...}` placeholders and a missing
// status are skipped.
consensus_read read_consensus(std::string_view text, std::string_view rel_path);

// What a consensus-conflict event may carry (the synthesis is untrusted input): past these, entries are
// dropped and the event says so (conflicts_truncated / agents_truncated), so one hostile file cannot make a
// payload of megabytes. 20 points of 500 bytes keep a body around 10 KiB, under what chat webhooks accept.
inline constexpr size_t kMaxConflictPoints = 20;
inline constexpr size_t kMaxConflictPointBytes = 500;
inline constexpr size_t kMaxConflictAgents = 16;
inline constexpr size_t kMaxConflictAgentBytes = 100;
inline constexpr size_t kMaxConflictStatusBytes = 100;

// The conflict a `_synthesis.json` reports (read_consensus_conflict).
struct consensus_conflict {
  std::string stage;   // plan | tasks | ... ("spec-" prefix removed), as consensus_summary::stage
  std::string status;  // as written (at most kMaxConflictStatusBytes), "" when absent
  std::vector<std::string> points;  // the conflicting points, bounded (see above), valid UTF-8
  size_t total_points = 0;          // entries of consensus.conflicts before bounding
  bool points_truncated = false;    // a point was dropped or cut
  std::vector<std::string> agents;  // agent names, bounded
  bool agents_truncated = false;
  std::string telemetry;  // the telemetry file the synthesis names in `telemetry`, as written; "" = none
  // Hex SHA-256 over what makes this conflict this conflict (stage, status, every point in full, the
  // telemetry pointer; not agreements, agents or formatting): the dedupe key of its event.
  std::string digest;
};

struct conflict_read {
  read_status status = read_status::error;  // ok: a synthesis that was understood (conflict or not)
  bool conflict = false;                    // meaningful when ok
  consensus_conflict value;                 // meaningful when conflict
  std::string reason;                       // why skipped / error, starting with the file
  // Members of the wrong type that were ignored ("path: consensus.conflicts is ...; not read"): warnings,
  // also when status is ok.
  std::vector<std::string> warnings;
};

// A `_synthesis.json` reports a conflict when its `status` is "conflict", "conflicted" or "disagreement"
// (ASCII case-insensitive, trimmed; design/spec-kit-formats.md documents ok|conflict|degraded, the real files
// show only "ok") or when its `consensus.conflicts` array is non-empty. `conflicts_resolved` (the real
// SPEC-KIT-045-mini plan synthesis) and "degraded" (agents failed, nobody disagreed) are not conflicts.
// A point is a string as is, an object its issue/point/summary/description/text/title string (else its
// compact JSON), any other scalar its text; nulls are left out. Agents: the top-level `agents` array (else
// consensus.agents), each a string or an object's agent/name string. Unfilled `${...}` placeholders (the
// real SPEC-KIT-025 template) are skipped. Never throws.
conflict_read read_consensus_conflict(std::string_view json_text, std::string_view rel_path);

// .../commands/<SPEC>/spec-<stage>_<session>.json (the evidence root is configurable, so only the `commands`
// folder and the file name shape are checked).
bool is_telemetry_path(std::string_view rel_path);
// .../consensus/<SPEC>/spec-<stage>..._synthesis.json or ..._telemetry.jsonl (per-agent files are not).
bool is_consensus_path(std::string_view rel_path);

// Whether `named` (a path as a consensus record writes it: repo-relative or absolute) and `rel_path` are the
// same evidence file: their last three segments (commands/<SPEC>/<file>) are equal.
bool same_evidence_file(std::string_view named, std::string_view rel_path);

}  // namespace spec_notify::differ
