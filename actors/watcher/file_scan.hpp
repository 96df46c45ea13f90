#pragma once
// Which files the watcher tracks and how it tells that one changed: a stamp of (inode, size, mtime ns, ctime
// ns) per file. An atomic-rename save changes the inode, an in-place write the size or mtime, so comparing
// stamps catches both without reading content. Pure apart from stat/readdir; never throws.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace spec_notify::watcher {

struct file_stamp {
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const file_stamp& o) const {
    return inode == o.inode && size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
  }
  bool operator!=(const file_stamp& o) const { return !(*this == o); }
};

using snapshot = std::map<std::string, file_stamp>;  // path relative to the repo -> stamp

// Stamps SPEC.md and docs/<one folder>/tasks.md under `repo` (one readdir of docs/ plus one stat per file).
snapshot scan_task_files(const std::filesystem::path& repo);

// scan_task_files plus the telemetry/consensus files in <evidence_rel>/{commands,consensus}/<SPEC>/ (*.json,
// *.jsonl). `evidence_rel` is relative to the repo; "" skips them.
snapshot scan_tracked_files(const std::filesystem::path& repo, const std::string& evidence_rel);

// Paths whose stamp differs between the snapshots or that appeared; removed files are not reported (removed
// rows emit nothing), but a file that disappears and comes back is reported again.
std::vector<std::string> changed_paths(const snapshot& before, const snapshot& after);

// Stamps one file; false when it does not exist or cannot be stat'ed.
bool stamp_file(const std::filesystem::path& p, file_stamp& out);

}  // namespace spec_notify::watcher
