#pragma once
// Walking into an untrusted tree (the watched repository: anyone with push access can plant symlinks) without
// ever following a symlink. Every component is opened with openat(O_DIRECTORY | O_NOFOLLOW) relative to the
// directory fd of its parent, so a symlink swapped in between a check and a use is refused by the kernel, not
// by a check that can race. Used by evidence_log (the one writer under evidence_dir).
// Plain POSIX, no state beyond the fds it returns; thread-compatible.
#include <filesystem>
#include <string>
#include <vector>

namespace spec_notify::evidence {

// An owned file descriptor (closed on destruction); -1 = none.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct walk_error {
  std::string path;      // the component that failed, as a full path (for the message)
  int err = 0;           // errno
  bool symlink = false;  // the component is a symlink (refused by design, not a system failure)
  // "refusing to follow the symlink at <path>" or "cannot create <target>: <system error> (at <path>)",
  // where `target` is the directory the walk was meant to reach.
  std::string message(const std::string& target) const;
};

// Splits `target` into the directory to open normally (the anchor: trusted, may itself contain symlinks the
// operator set up) and the components below it that must be walked without following symlinks.
// The anchor is `trusted_root` when `target` is lexically inside it (or equal), else "/" (every component
// of `target` is then walked without following symlinks). Relative paths are taken relative to the working
// directory. ".." components are never produced (the paths are normalised lexically first).
void split_at_anchor(const std::filesystem::path& target, const std::filesystem::path& trusted_root,
                     std::filesystem::path& anchor, std::vector<std::string>& components);

// Opens (with `create`, mkdirat-ing missing ones with mode 0777 & ~umask) `components` below `anchor` one by
// one with O_DIRECTORY | O_NOFOLLOW. On failure returns an empty fd and fills `error`; a symlink anywhere
// below the anchor is refused (error.symlink). Never throws.
unique_fd open_dir_nofollow(const std::filesystem::path& anchor, const std::vector<std::string>& components,
                            bool create, walk_error& error);

// Same, starting from an already open directory fd (not closed) whose path is `shown_as` (for messages).
unique_fd open_dir_nofollow_at(int dir_fd, const std::filesystem::path& shown_as,
                               const std::vector<std::string>& components, bool create, walk_error& error);

}  // namespace spec_notify::evidence
