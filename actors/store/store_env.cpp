#include "actors/store/store_env.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <leveldb/env.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace spec_notify::store {
namespace {

std::string sys_error(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// Removes group/other bits from an existing regular file (never follows a symlink, never adds a bit).
void tighten_file_at(int dir_fd, const char* name) {
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    static_cast<void>(::fchmod(fd, st.st_mode & 07700));
  ::close(fd);
}

// Makes `name` exist as a 0600 file before LevelDB opens it (see the header). An existing file only loses
// group/other bits. Errors are left for LevelDB's own open to report.
void precreate_private(const std::string& name) {
  const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    static_cast<void>(::fchmod(fd, 0600));  // exact, even under a umask that removes owner bits
    ::close(fd);
  } else if (errno == EEXIST) {
    tighten_file_at(AT_FDCWD, name.c_str());
  }
}

// LevelDB's default Env mmaps up to 1000 table files for reading (a fixed limit in 1.23, no option). Every
// page a read touches then counts in the process RSS as file-backed memory until the kernel reclaims it: a
// start that scans a 100k-delivery spool kept ~45 MB of the spool "resident". This Env reads table files with
// pread into LevelDB's (small) block cache instead.
class pread_file final : public leveldb::RandomAccessFile {
 public:
  pread_file(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~pread_file() override { ::close(fd_); }
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        *result = leveldb::Slice(scratch, 0);
        return leveldb::Status::IOError(name_, std::strerror(errno));
      }
      if (r == 0) break;  // end of file: a short read, which LevelDB reports as corruption itself
      got += static_cast<size_t>(r);
    }
    *result = leveldb::Slice(scratch, got);
    return leveldb::Status::OK();
  }

 private:
  int fd_;
  std::string name_;
};

class private_pread_env final : public leveldb::EnvWrapper {
 public:
  private_pread_env() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewRandomAccessFile(const std::string& name, leveldb::RandomAccessFile** result) override {
    *result = nullptr;
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      return err == ENOENT ? leveldb::Status::NotFound(name, std::strerror(err))
                           : leveldb::Status::IOError(name, std::strerror(err));
    }
    *result = new pread_file(fd, name);
    return leveldb::Status::OK();
  }
  // Tables, manifests, write-ahead logs, CURRENT's temp file: LevelDB opens them O_TRUNC | O_CREAT, 0644.
  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** result) override {
    precreate_private(name);
    return target()->NewWritableFile(name, result);
  }
  leveldb::Status NewAppendableFile(const std::string& name, leveldb::WritableFile** result) override {
    precreate_private(name);
    return target()->NewAppendableFile(name, result);
  }
  leveldb::Status NewLogger(const std::string& name, leveldb::Logger** result) override {
    precreate_private(name);
    return target()->NewLogger(name, result);
  }
  leveldb::Status LockFile(const std::string& name, leveldb::FileLock** lock) override {
    precreate_private(name);
    return target()->LockFile(name, lock);
  }
  leveldb::Status CreateDir(const std::string& name) override {
    if (::mkdir(name.c_str(), 0700) == 0) {
      static_cast<void>(::chmod(name.c_str(), 0700));
      return leveldb::Status::OK();
    }
    return target()->CreateDir(name);  // reports EEXIST and friends the way LevelDB expects
  }
};

// File names LevelDB 1.23 writes (db/filename.cc) plus the store's checkpoint file.
bool store_file_name(const std::string& n) {
  auto ends = [&](const char* s) {
    const size_t k = std::strlen(s);
    return n.size() > k && n.compare(n.size() - k, k, s) == 0;
  };
  return n == "CURRENT" || n == "LOCK" || n == "LOG" || n == "LOG.old" || n.rfind("MANIFEST-", 0) == 0 ||
         ends(".log") || ends(".ldb") || ends(".sst") || ends(".dbtmp") || n.rfind("SPEC-NOTIFY-", 0) == 0;
}

}  // namespace

leveldb::Env* store_env() {
  static auto* env = new private_pread_env();  // never destroyed: LevelDB's default Env is not either
  return env;
}

status prepare_state_dir(const std::string& dir) {
  const std::filesystem::path path(dir);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return status::failure("cannot create state directory " + dir + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) == 0) {
    static_cast<void>(::chmod(dir.c_str(), 0700));
    return status::success();
  }
  if (errno != EEXIST)
    return status::failure("cannot create state directory " + dir + ": " + sys_error(errno));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return status::failure("cannot open state directory " + dir + ": " + sys_error(errno));
  struct stat st {};
  if (::fstatat(fd, "CURRENT", &st, AT_SYMLINK_NOFOLLOW) == 0) {  // an existing store: ours to tighten
    if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) static_cast<void>(::fchmod(fd, st.st_mode & 07700));
    const int list_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (DIR* d = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr) {
      while (const dirent* e = ::readdir(d))
        if (store_file_name(e->d_name)) tighten_file_at(fd, e->d_name);
      ::closedir(d);
    } else if (list_fd >= 0) {
      ::close(list_fd);
    }
  }
  ::close(fd);
  return status::success();
}

result<int> lock_state_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return status::failure("cannot open state directory " + dir + ": " + sys_error(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  const int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK)
    return status::failure(
        "state directory " + dir +
        " is in use: another spec-notify process holds it (a lock on the directory); stop that one or give "
        "this one another state_dir");
  return status::failure("cannot lock state directory " + dir + ": " + sys_error(err));
}

}  // namespace spec_notify::store
