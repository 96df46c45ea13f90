#pragma once
// `spec-notify --test` helpers: find a SPEC in the watched files and build a real `spec-notify.test` event
// for it, without the daemon or its LevelDB (the command must work whether or not a daemon runs).
//
// A SPEC is known when a task file names it: `docs/<SPEC-ID>/tasks.md` (the folder), or a SPEC.md row whose
// PRD/Evidence/Notes cells point into `docs/SPEC-.../` (differ::parse_task_file's spec_id). Only the files
// the differ watches are read. Context (telemetry / consensus / evidence) is built by the differ's own
// readers and differ::spec_context from <evidence_dir>/{commands,consensus}/<SPEC-ID or its short key>/.
// Pure file reads; nothing is written. Thread-safe (no shared state).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "actors/differ/task_table.hpp"
#include "messages/event.hpp"

namespace spec_notify::app {

struct spec_task {
  std::string source;  // file relative to the repo root: "SPEC.md" or "docs/<X>/tasks.md"
  differ::task_row row;
};

struct spec_catalog {
  std::vector<std::string> spec_ids;  // sorted, unique
  std::vector<spec_task> tasks;       // docs/<X>/tasks.md files (sorted by path), then SPEC.md; file order
  std::vector<std::string> problems;  // unreadable files ("path: reason"); never fatal
};

// Reads SPEC.md and every docs/<one folder>/tasks.md under `repo`.
spec_catalog scan_specs(const std::filesystem::path& repo);

// The known SPEC ids `query` names: the exact id, else (ASCII case-insensitively) the ids whose full slug or
// short key (differ::spec_key) equals it. Empty = unknown; more than one = ambiguous.
std::vector<std::string> match_spec(const spec_catalog& catalog, const std::string& query);

// The row the sample is about: the last Done row of the SPEC in file order, else its first row; nullptr when
// the SPEC has no task rows.
const spec_task* pick_task(const spec_catalog& catalog, const std::string& spec_id);

// differ::spec_context::context_for(spec_id) after feeding it every telemetry and consensus file of the
// SPEC; paths are relative to the repo when the evidence dir lies inside it.
event_context read_spec_context(const std::filesystem::path& repo, const std::filesystem::path& evidence_dir,
                                const std::string& spec_id);

// The `spec-notify.test` event: task-shaped (from = null, to = the row's current status) when `task` is
// given, else stage-shaped (stage "test", status "ok"). A fresh evt_ id; occurred_at = now_ms.
event make_test_event(const std::string& spec_id, const spec_task* task, event_context context,
                      int64_t now_ms);

}  // namespace spec_notify::app
