#pragma once
// Which files the watcher tracks and how it tells that one changed: a stamp of (inode, size, mtime ns, ctime
// ns) per file. An atomic-rename save changes the inode, an in-place write the size or mtime, so comparing
// stamps catches both without reading content. Only files check_repo_file accepts (regular, real path inside
// the repo) are stamped; the others are listed in `refused` with the reason. Pure apart from
// stat/readdir/realpath; never throws.
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

using snapshot = std::map<std::string, file_stamp>;   // path relative to the repo -> stamp
using refusals = std::map<std::string, std::string>;  // path relative to the repo -> why it is not read

// Stamps SPEC.md and docs/<one folder>/tasks.md under `repo` (one readdir of docs/ plus one check per file).
// Files that exist but may not be read (symlinks out of the repo, FIFOs, devices) go to `refused` if given.
snapshot scan_task_files(const std::filesystem::path& repo, refusals* refused = nullptr);

// scan_task_files plus the telemetry/consensus files in <evidence_rel>/{commands,consensus}/<SPEC>/ (*.json,
// *.jsonl). `evidence_rel` is relative to the repo; "" skips them.
snapshot scan_tracked_files(const std::filesystem::path& repo, const std::string& evidence_rel,
                            refusals* refused = nullptr);

// Paths whose stamp differs between the snapshots or that appeared; removed files are not reported (removed
// rows emit nothing), but a file that disappears and comes back is reported again.
std::vector<std::string> changed_paths(const snapshot& before, const snapshot& after);

// Stamps `repo`/`rel`; false when it does not exist or check_repo_file refuses it (then `refused_reason`,
// if given, says why; it stays empty for a missing file).
bool stamp_file(const std::filesystem::path& repo, const std::string& rel, file_stamp& out,
                std::string* refused_reason = nullptr);

}  // namespace spec_notify::watcher
