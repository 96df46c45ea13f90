#pragma once
// The differ's logic without the actor: reads changed task files, diffs them against the last-seen states,
// and persists the new states together with the events they imply in ONE synced LevelDB batch, so a crash at
// any instant neither loses a transition nor emits it twice (the evt/ records are the outbox the router
// drains). Called by differ_actor only (single-threaded use). Tests drive it directly with a real store.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/differ/diff.hpp"
#include "actors/differ/spec_context.hpp"
#include "actors/store/store.hpp"
#include "actors/util/repo_file.hpp"
#include "messages/event.hpp"

namespace spec_notify::differ {

// How long a task file must have been left alone before an unterminated last line is trusted.
inline constexpr std::chrono::milliseconds kRecheckAfter{1500};

struct engine_result {
  std::vector<event> events;          // persisted under evt/ before being returned
  std::vector<std::string> problems;  // "path:line: message" for unreadable / odd input; never fatal
  std::vector<std::string>
      skipped;                // files deliberately ignored (unknown schema, per-agent files): debug only
  bool store_failed = false;  // nothing was persisted: the caller should offer these paths again later
  // Files to offer again later: task files that looked mid-write (last line without '\n', modified a
  // moment ago: their last line was left out), files over the event cap, and new telemetry files whose
  // event waits for the consensus record of their run (kConsensusSettle).
  std::vector<std::string> recheck;
  // How long to wait before offering `recheck` again: kRecheckAfter, or kConsensusSettle when it holds a
  // telemetry file waiting for its consensus (by then every held file is due; the others just re-read).
  std::chrono::milliseconds recheck_after = kRecheckAfter;
};

// How long a new stage/pipeline telemetry file's event may wait for the consensus record of its run when none
// is known yet. A `git pull` checks commands/ out before consensus/ (and live Spec Kit most likely writes the
// consensus after the guardrail telemetry), and the watcher may report them in separate changes: sent at
// once, the event would carry its consensus or not depending on timing. So such a file is held (not marked
// seen, offered again through `recheck`) until kConsensusSettle has passed since it was written or first
// seen, whichever is earlier, then emitted exactly once with whatever record of its run exists by then.
// 2 s: long enough for the rest of a pull or a consensus write on a local disk to land (the watcher reports
// after coalescing for ~15 ms), short enough that a webhook is late by ~2 s at most. Files
// already old when seen (baseline, restart, rescans) and files whose run's record is already known are
// never held. Must be >= kRecheckAfter (the one recheck delay then covers both).
inline constexpr std::chrono::milliseconds kConsensusSettle{2000};
static_assert(kConsensusSettle >= kRecheckAfter, "recheck_after assumes the longer wait covers both");

// What one change may cost (the repo is untrusted input). Defaults mirror config::settings; the supervisor
// passes the configured ones (limits_from in differ_actor.hpp).
struct differ_limits {
  size_t max_file_bytes = util::kMaxRepoFileBytes;  // larger files are refused, unread
  // Rows read from one task file (key max_task_rows): the rows past it are not read (their tasks keep
  // their last state) and one warning names the file.
  size_t max_task_rows = 50000;
  // Events one on_files_changed call emits (key max_events_per_diff). Transitions past it are deferred, not
  // lost: their rows keep their old state and the file is offered again (recheck), so a later pass emits
  // them; one warning names the file.
  size_t max_events_per_diff = 20000;
};

// The wall clock the consensus hold compares file times with (tests inject one; empty = system_clock::now).
using clock_fn = std::function<std::chrono::system_clock::time_point()>;

class engine {
 public:
  // REQUIRES: db open. Loads every last-seen state into memory (one scan of task/).
  engine(store::db_ptr db, std::filesystem::path repo, differ_limits limits = {}, clock_fn clock = {});

  // Whether the first scan has been recorded (before it, files are recorded as the baseline, without events).
  bool baseline_done() const { return baseline_done_; }

  // Processes `paths` (relative to the repo): task files (task transitions), telemetry v1 files (one
  // stage event per new file, plus a pipeline event for unlock) and consensus files (payload context; a
  // _synthesis.json that reports a conflict also gives one spec-auto.consensus.conflict event per distinct
  // conflict, see read_consensus_conflict and seen_conflicts_).
  // Consensus files are read first, then telemetry, then task files, so task events carry the newest
  // context. A stage/pipeline event carries the telemetry file that produced it and the consensus record of
  // that run known by then (spec_context::context_for_run); a task event the SPEC's latest (context_for). A
  // new telemetry file without a known record of its run is held up to kConsensusSettle (see there). The
  // first call on a fresh store records the baseline: states and seen telemetry, no events.
  engine_result on_files_changed(const std::vector<std::string>& paths);

  // True when `rel_path` is a task file under the contract's rules (SPEC.md or docs/<one folder>/tasks.md).
  static bool is_task_file(const std::string& rel_path);

 private:
  void process_task_file(const std::string& rel, store::batch& b, engine_result& out);
  void process_telemetry(const std::string& rel, store::batch& b, engine_result& out);
  void process_consensus(const std::string& rel, store::batch& b, engine_result& out);
  void process_conflict(const std::string& rel, const std::string& text, int agreements, store::batch& b,
                        engine_result& out);
  bool named_telemetry(const std::string& rel, const std::string& pointer, telemetry_summary& t);
  void look_for_run_consensus(const std::string& rel, const telemetry_summary& t, store::batch& b,
                              engine_result& out);
  bool read(const std::string& rel, std::string& text, int64_t& mtime_ns, engine_result& out);
  void note_row_cap(const std::string& rel, int capped_at_line, engine_result& out);
  void defer(const std::string& rel, size_t emitted, size_t deferred, engine_result& out);
  bool hold_for_consensus(const std::string& rel, const telemetry_summary& t, int64_t mtime_ns,
                          engine_result& out);
  std::filesystem::path repo_;
  store::db_ptr db_;
  differ_limits limits_;
  size_t events_left_ = 0;  // of this call's max_events_per_diff
  bool baseline_done_ = false;
  // Files currently over a cap, so each is warned about once, not at every re-read.
  std::set<std::string> row_capped_, deferring_;
  std::map<std::string, std::map<std::string, known_state>> states_;   // file -> task id -> last seen
  std::map<std::string, std::map<std::string, known_state>> pending_;  // updates of the batch being built
  std::set<std::string> seen_telemetry_, pending_seen_;                // telemetry files already announced
  // Consensus conflicts already announced (or recorded in the baseline): "<synthesis path>\0<digest>", stored
  // as seen/<that>. The digest (consensus_conflict::digest) makes a rewrite with the same conflict a no-op
  // and a synthesis rewritten with other conflicts (spec-plan_synthesis.json is rewritten per run) a new
  // event.
  std::set<std::string> seen_conflicts_, pending_conflicts_;
  spec_context context_;
  std::set<std::string> looked_up_;  // consensus files read by look_for_run_consensus (each once)
  clock_fn clock_;
  // Telemetry files whose event is held for their consensus -> when first held (kConsensusSettle). An entry
  // goes when its event does, or when the file is gone.
  std::map<std::string, std::chrono::system_clock::time_point> held_;
};

}  // namespace spec_notify::differ
