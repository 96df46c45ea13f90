#include "actors/util/repo_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace spec_notify::util {
namespace {

// realpath(3) into a std::string; false (errno set) when a component is missing or unreadable.
bool real_path(const std::string& p, std::string& out) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (!r) return false;
  out = r;
  std::free(r);
  return true;
}

bool inside(const std::string& real, const std::string& root) {
  if (root == "/") return true;
  return real.size() > root.size() && real.compare(0, root.size(), root) == 0 && real[root.size()] == '/';
}

const char* kind(mode_t m) {
  if (S_ISDIR(m)) return "a folder";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Where the kernel says `fd` points (Linux /proc/self/fd); "" when /proc is not mounted.
std::string fd_path(int fd) {
  char link[64], target[PATH_MAX + 1];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  auto n = ::readlink(link, target, PATH_MAX);
  return n <= 0 ? std::string() : std::string(target, static_cast<size_t>(n));
}

class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// On ok, `real` is the resolved path of the file and `root` the repo's.
repo_file_status check(const std::filesystem::path& repo, const std::string& rel, struct stat& st,
                       std::string& root, std::string& real, std::string& reason) {
  if (!real_path(repo.string(), root)) {
    reason = std::string("repo folder unreadable: ") + std::strerror(errno);
    return errno == ENOENT ? repo_file_status::missing : repo_file_status::refused;
  }
  if (!real_path((repo / rel).string(), real)) {
    if (errno == ENOENT || errno == ENOTDIR) return repo_file_status::missing;
    reason = std::string("cannot resolve: ") + std::strerror(errno);
    return repo_file_status::refused;
  }
  if (!inside(real, root)) {
    reason = "resolves to " + real + ", outside the repo; not read";
    return repo_file_status::refused;
  }
  // stat the resolved path: the one that was checked, not a link that may since point elsewhere.
  if (::stat(real.c_str(), &st) != 0) {
    if (errno == ENOENT) return repo_file_status::missing;
    reason = std::string("cannot stat: ") + std::strerror(errno);
    return repo_file_status::refused;
  }
  if (!S_ISREG(st.st_mode)) {
    reason = std::string("is ") + kind(st.st_mode) + ", not a regular file; not read";
    return repo_file_status::refused;
  }
  return repo_file_status::ok;
}

}  // namespace

bool real_path_inside(const std::filesystem::path& repo, const std::filesystem::path& path) {
  std::string root, real;
  return real_path(repo.string(), root) && real_path(path.string(), real) &&
         (real == root || inside(real, root));
}

repo_file_status check_repo_file(const std::filesystem::path& repo, const std::string& rel, struct stat& st,
                                 std::string& reason) {
  std::string root, real;
  return check(repo, rel, st, root, real, reason);
}

repo_read read_repo_file(const std::filesystem::path& repo, const std::string& rel, size_t max_bytes) {
  repo_read r;
  struct stat st {};
  std::string root, real;
  r.status = check(repo, rel, st, root, real, r.reason);
  if (r.status != repo_file_status::ok) return r;
  r.status = repo_file_status::error;
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    r.reason = "file is " + std::to_string(st.st_size) + " bytes, over the " + std::to_string(max_bytes) +
               "-byte limit; skipped";
    return r;
  }
  // The checked, resolved path, with O_NOFOLLOW: a symlink swapped in for it is not followed. O_NONBLOCK: a
  // FIFO swapped in after the check must not block the differ. O_NOCTTY: a tty never becomes ours.
  fd_guard fd(::open(real.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      r.status = repo_file_status::missing;
      return r;
    }
    if (errno == ELOOP) {
      r.status = repo_file_status::refused;
      r.reason = "replaced by a symlink while opening; not read";
      return r;
    }
    r.reason = std::string("cannot open for reading: ") + std::strerror(errno);
    return r;
  }
  // The check above raced with the open: re-check what was actually opened.
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    r.status = repo_file_status::refused;
    r.reason =
        std::string("is ") + kind(st.st_mode) + ", not a regular file (replaced while opening); not read";
    return r;
  }
  if (const std::string opened = fd_path(fd.get()); !opened.empty() && !inside(opened, root)) {
    r.status = repo_file_status::refused;
    r.reason = "resolves to " + opened + ", outside the repo (replaced while opening); not read";
    return r;
  }
  r.mtime_ns = mtime_ns(st);
  try {
    // st_size is only a hint (procfs files say 0, a writer may be appending): read until EOF, bounded.
    r.text.reserve(std::min<size_t>(static_cast<size_t>(st.st_size), max_bytes) + 1);
    char buf[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        r.text.clear();
        r.reason = std::string("read error: ") + std::strerror(errno);
        return r;
      }
      if (n == 0) break;
      if (r.text.size() + static_cast<size_t>(n) > max_bytes) {
        r.text.clear();
        r.text.shrink_to_fit();
        r.reason =
            "file grew over the " + std::to_string(max_bytes) + "-byte limit while being read; skipped";
        return r;
      }
      r.text.append(buf, static_cast<size_t>(n));
    }
  } catch (const std::bad_alloc&) {
    r.text.clear();
    r.reason = "out of memory while reading";
    return r;
  }
  r.status = repo_file_status::ok;
  return r;
}

}  // namespace spec_notify::util
