#pragma once
// The one gate through which repo content is checked and read (the repo is untrusted input,
// docs/security.md): only a regular file whose real path stays inside the repo's real path is ever opened.
// Symlinks that leave the repo (to /proc/self/mem, /etc/..., another checkout) and anything that is not a
// regular file (FIFO, device, socket, folder) are refused with a reason, without opening them: opening a FIFO
// can block and opening a device can have effects. Used by the watcher (what it stamps and reports) and by
// the differ (what it reads), so a file swapped between the two is caught again at read time. Pure apart from
// the file system; thread-safe; never throws.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace spec_notify::util {

// Upper bound on what is read of one file: a 50 MB paste is refused (with a warning naming the file) before
// anything is read, so one change cannot stall the pipeline or blow up its memory.
inline constexpr size_t kMaxRepoFileBytes = 8 * 1024 * 1024;

enum class repo_file_status {
  ok,       // a regular file inside the repo (read_repo_file: read whole)
  missing,  // does not exist (or a dangling symlink): nothing to report
  refused,  // exists but must not be read: outside the repo, or not a regular file; `reason` says which
  error,    // read_repo_file only: open/read failed, or over the size limit; `reason` says which
};

// Checks `repo`/`rel` without opening it. On ok, `st` is the stat of the file (symlinks followed).
// REQUIRES: `rel` relative to `repo`, '/'-separated.
repo_file_status check_repo_file(const std::filesystem::path& repo, const std::string& rel, struct stat& st,
                                 std::string& reason);

// Whether `path` exists and its real path is `repo`'s real path or lies beneath it (for folders to watch).
bool real_path_inside(const std::filesystem::path& repo, const std::filesystem::path& path);

struct repo_read {
  repo_file_status status = repo_file_status::error;
  std::string text;    // the whole file when ok
  std::string reason;  // why not ok (without the path: callers prefix it)
  int64_t mtime_ns = 0;
};

// check_repo_file, then opens with O_NONBLOCK|O_NOCTTY (never blocks, even on a FIFO swapped in after the
// check) and checks the opened descriptor again (fstat: regular; /proc/self/fd: still inside the repo), so
// a rename or symlink swap between check and open cannot redirect the read. Reads until EOF, not trusting
// st_size (procfs-like files stat as 0 bytes), refusing anything over `max_bytes`. Every failure, including
// EIO/EINVAL from read() and allocation failure, is a status, never an exception.
repo_read read_repo_file(const std::filesystem::path& repo, const std::string& rel,
                         size_t max_bytes = kMaxRepoFileBytes);

}  // namespace spec_notify::util
