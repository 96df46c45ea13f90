#pragma once
// Reads the spec-auto guardrail evidence a SPEC accumulates, for payload context (`telemetry`, `consensus`)
// and stage events:
//   telemetry v1:  <evidence>/commands/<SPEC-ID>/spec-<stage>_<sessionId>.json
//   consensus:     <evidence>/consensus/<SPEC-ID>/spec-<stage>_..._synthesis.json and ..._telemetry.jsonl
// (formats: docs of the Spec Kit repo, summarised in design/spec-kit-formats.md).
// Called by the differ for changed evidence files. Pure functions, thread-safe, persist nothing. They never
// throw: unknown shapes come back `skipped`, unparsable text `error`, each with a reason naming the file.
// All returned strings are valid UTF-8.
#include <string>
#include <string_view>

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

// .../commands/<SPEC>/spec-<stage>_<session>.json (the evidence root is configurable, so only the `commands`
// folder and the file name shape are checked).
bool is_telemetry_path(std::string_view rel_path);
// .../consensus/<SPEC>/spec-<stage>..._synthesis.json or ..._telemetry.jsonl (per-agent files are not).
bool is_consensus_path(std::string_view rel_path);

// Whether `named` (a path as a consensus record writes it: repo-relative or absolute) and `rel_path` are the
// same evidence file: their last three segments (commands/<SPEC>/<file>) are equal.
bool same_evidence_file(std::string_view named, std::string_view rel_path);

}  // namespace spec_notify::differ
