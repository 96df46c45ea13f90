#pragma once
// inotify over the few folders that matter: the repo root (SPEC.md), docs/ and each docs/<X>/ (tasks.md), and
// the evidence commands/ and consensus/ trees (telemetry). Atomic-rename saves arrive as IN_MOVED_TO,
// in-place saves as IN_CLOSE_WRITE; new folders get a watch (and a scan, since files may land before the
// watch does). Owns the inotify fd (RAII). Not thread-safe: used by the watcher actor only (its waiting
// thread only polls fd() for readability). Never throws.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace spec_notify::watcher {

class inotify_source {
 public:
  // `evidence_rel`: the evidence dir relative to the repo ("" when it lies outside the repo).
  inotify_source(std::filesystem::path repo, std::string evidence_rel);
  ~inotify_source();
  inotify_source(const inotify_source&) = delete;
  inotify_source& operator=(const inotify_source&) = delete;

  // False when inotify is unavailable (then the watcher relies on its periodic rescan).
  bool ok() const { return fd_ >= 0; }
  // The inotify fd (-1 when unavailable), for a poll() that only waits for readability.
  int fd() const { return fd_; }
  // True while every relevant folder that exists has a watch: the repo root is watched, no watch failed to be
  // added since the last refresh_watches, and no watched folder went away since. Only then can the watcher
  // trust events alone and skip its periodic rescan.
  bool watches_complete() const { return fd_ >= 0 && !failed_ && !lost_ && watched_.count("") != 0; }
  // True (once) when a tracked path was created since the last call: a close or rename usually follows and is
  // reported, but a symlink, hard link or FIFO put in place raises IN_CREATE only, so the watcher rescans.
  bool take_created() { return std::exchange(created_, false); }
  // Waits up to `timeout_ms` for events and adds the tracked files they touch (relative paths) to `out`.
  // Returns false on a queue overflow: the caller must do a full rescan.
  bool poll(int timeout_ms, std::set<std::string>& out);
  // (Re)creates watches on every relevant folder that exists now (one realpath + inotify_add_watch per
  // folder), after an overflow or a lost watch; resets what watches_complete() reports.
  void refresh_watches();

 private:
  void watch(const std::string& rel);
  void watch_tree(const std::string& rel);
  void on_new_dir(const std::string& rel, std::set<std::string>& out);
  void collect(const std::string& rel, std::set<std::string>& out) const;
  bool relevant_dir(const std::string& rel) const;
  bool tracked(const std::string& rel) const;
  std::filesystem::path repo_;
  std::string evidence_rel_;
  int fd_ = -1;
  std::map<int, std::string> dirs_;  // watch descriptor -> folder relative to the repo ("" = root)
  std::set<std::string> watched_;
  bool failed_ = false;   // a watch could not be added (ENOSPC: max_user_watches, EACCES, ...)
  bool lost_ = false;     // a watched folder was deleted or moved away (or its file system unmounted)
  bool created_ = false;  // IN_CREATE of a tracked path
};

// Which relative paths the pipeline reads: task files and telemetry/consensus files under `evidence_rel`.
bool is_tracked_path(const std::string& rel, const std::string& evidence_rel);

}  // namespace spec_notify::watcher
