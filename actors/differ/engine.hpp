#pragma once
// The differ's logic without the actor: reads changed task files, diffs them against the last-seen states,
// and persists the new states together with the events they imply in ONE synced LevelDB batch, so a crash at
// any instant neither loses a transition nor emits it twice (the evt/ records are the outbox the router
// drains). Called by differ_actor only (single-threaded use). Tests drive it directly with a real store.
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/differ/diff.hpp"
#include "actors/differ/spec_context.hpp"
#include "actors/store/store.hpp"
#include "actors/watcher/repo_file.hpp"
#include "messages/event.hpp"

namespace spec_notify::differ {

struct engine_result {
  std::vector<event> events;          // persisted under evt/ before being returned
  std::vector<std::string> problems;  // "path:line: message" for unreadable / odd input; never fatal
  std::vector<std::string>
      skipped;                // files deliberately ignored (unknown schema, per-agent files): debug only
  bool store_failed = false;  // nothing was persisted: the caller should offer these paths again later
  // Task files that looked mid-write (last line without '\n', modified a moment ago): their last line was
  // left out; the caller should offer them again once the writer is done (kRecheckAfter).
  std::vector<std::string> recheck;
};

// How long a task file must have been left alone before an unterminated last line is trusted.
inline constexpr std::chrono::milliseconds kRecheckAfter{1500};

// What one change may cost (the repo is untrusted input). Defaults mirror config::settings; the supervisor
// passes the configured ones (limits_from in differ_actor.hpp).
struct differ_limits {
  size_t max_file_bytes = watcher::kMaxRepoFileBytes;  // larger files are refused, unread
  // Rows read from one task file (key max_task_rows): the rows past it are not read (their tasks keep
  // their last state) and one warning names the file.
  size_t max_task_rows = 50000;
  // Events one on_files_changed call emits (key max_events_per_diff). Transitions past it are deferred, not
  // lost: their rows keep their old state and the file is offered again (recheck), so a later pass emits
  // them; one warning names the file.
  size_t max_events_per_diff = 20000;
};

class engine {
 public:
  // REQUIRES: db open. Loads every last-seen state into memory (one scan of task/).
  engine(store::db_ptr db, std::filesystem::path repo, differ_limits limits = {});

  // Whether the first scan has been recorded (before it, files are recorded as the baseline, without events).
  bool baseline_done() const { return baseline_done_; }

  // Processes `paths` (relative to the repo): task files (task transitions), telemetry v1 files (one
  // stage event per new file, plus a pipeline event for unlock) and consensus files (payload context).
  // Consensus files are read first, then telemetry, then task files, so task events carry the newest
  // context. A stage/pipeline event carries the telemetry file that produced it and the consensus record of
  // that run known by then (spec_context::json_for_run); a task event the SPEC's latest (json_for).
  // The first call on a fresh store records the baseline: states and seen telemetry, no events.
  engine_result on_files_changed(const std::vector<std::string>& paths);

  // True when `rel_path` is a task file under the contract's rules (SPEC.md or docs/<one folder>/tasks.md).
  static bool is_task_file(const std::string& rel_path);

 private:
  void process_task_file(const std::string& rel, store::batch& b, engine_result& out);
  void process_telemetry(const std::string& rel, store::batch& b, engine_result& out);
  void process_consensus(const std::string& rel, engine_result& out);
  void look_for_run_consensus(const std::string& rel, const telemetry_summary& t, engine_result& out);
  bool read(const std::string& rel, std::string& text, int64_t& mtime_ns, engine_result& out);
  void note_row_cap(const std::string& rel, int capped_at_line, engine_result& out);
  void defer(const std::string& rel, size_t emitted, size_t deferred, engine_result& out);
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
  spec_context context_;
  std::set<std::string> looked_up_;  // consensus files read by look_for_run_consensus (each once)
};

}  // namespace spec_notify::differ
