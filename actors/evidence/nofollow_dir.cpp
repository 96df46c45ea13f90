#include "actors/evidence/nofollow_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace spec_notify::evidence {

namespace fs = std::filesystem;

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string walk_error::message(const std::string& target) const {
  if (symlink) return "refusing to follow the symlink at " + path;
  std::string out =
      "cannot create " + target + ": " + std::error_code(err, std::generic_category()).message();
  if (path != target) out += " (at " + path + ")";
  return out;
}

namespace {

// True when `lexical` starts with every component of `root`.
bool inside(const fs::path& lexical, const fs::path& root, std::vector<std::string>& rest) {
  auto r = root.begin();
  auto l = lexical.begin();
  for (; r != root.end(); ++r, ++l) {
    if (r->empty()) continue;  // trailing "/" of a normalised root
    if (l == lexical.end() || *l != *r) return false;
  }
  for (; l != lexical.end(); ++l)
    if (!l->empty() && *l != ".") rest.push_back(l->string());
  return true;
}

}  // namespace

void split_at_anchor(const fs::path& target, const fs::path& trusted_root, fs::path& anchor,
                     std::vector<std::string>& components) {
  components.clear();
  std::error_code ec;
  const fs::path abs_target = fs::absolute(target, ec).lexically_normal();
  if (!trusted_root.empty()) {
    const fs::path abs_root = fs::absolute(trusted_root, ec).lexically_normal();
    if (inside(abs_target, abs_root, components)) {
      anchor = abs_root;
      return;
    }
    components.clear();
  }
  anchor = "/";
  inside(abs_target, anchor, components);
}

unique_fd open_dir_nofollow_at(int dir_fd, const fs::path& shown_as,
                               const std::vector<std::string>& components, bool create, walk_error& error) {
  unique_fd current(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  fs::path where = shown_as;
  if (!current) {
    error = {where.string(), errno, false};
    return {};
  }
  constexpr int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  for (const auto& name : components) {
    where /= name;
    int fd = ::openat(current.get(), name.c_str(), dir_flags);
    if (fd < 0 && errno == ENOENT && create) {
      // EEXIST: created meanwhile (by us elsewhere, or planted); the open below decides what it is.
      if (::mkdirat(current.get(), name.c_str(), 0777) != 0 && errno != EEXIST) {
        error = {where.string(), errno, false};
        return {};
      }
      fd = ::openat(current.get(), name.c_str(), dir_flags);
    }
    if (fd < 0) {
      const int err = errno;
      struct stat st {};
      const bool link =
          ::fstatat(current.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
      error = {where.string(), err, link};
      return {};
    }
    current = unique_fd(fd);
  }
  return current;
}

unique_fd open_dir_nofollow(const fs::path& anchor, const std::vector<std::string>& components, bool create,
                            walk_error& error) {
  unique_fd root(::open(anchor.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    const int err = errno;
    if (err == ENOENT && create) {
      // The anchor itself is trusted (the operator's path): create it as the old code did.
      std::error_code ec;
      fs::create_directories(anchor, ec);
      root = unique_fd(::open(anchor.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    if (!root) {
      error = {anchor.string(), root ? 0 : (errno ? errno : err), false};
      return {};
    }
  }
  return open_dir_nofollow_at(root.get(), anchor, components, create, error);
}

}  // namespace spec_notify::evidence
