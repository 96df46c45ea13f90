#include "actors/store/store.hpp"

#include <fcntl.h>
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/write_batch.h>
#include <malloc.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "actors/log.hpp"

namespace spec_notify::store {
namespace {

// The number of the newest LevelDB write-ahead log (<number>.log) in dir; 0 when none.
uint64_t newest_log(const std::string& dir) {
  uint64_t newest = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".log") != 0) continue;
    const std::string digits = name.substr(0, name.size() - 4);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    newest = std::max<uint64_t>(newest, std::stoull(digits));
  }
  return newest;
}

// LevelDB's default Env mmaps up to 1000 table files for reading (a fixed limit in 1.23, no option). Every
// page a read touches then counts in the process RSS as file-backed memory until the kernel reclaims it: a
// start that scans a 100k-delivery spool kept ~45 MB of the spool "resident". This Env reads table files with
// pread into LevelDB's (small) block cache instead; everything else is the default Env's.
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

class pread_env final : public leveldb::EnvWrapper {
 public:
  pread_env() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
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
};

leveldb::Env* table_env() {
  static auto* env = new pread_env();  // never destroyed: LevelDB's default Env is not either
  return env;
}

uint64_t free_bytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

constexpr size_t block_cache_bytes = size_t(1) << 20;
constexpr int max_open_table_files = 64;
constexpr size_t write_buffer_bytes = size_t(4) << 20;  // LevelDB's default

}  // namespace

std::unique_ptr<db> db::open(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create state directory " + dir + ": " + ec.message();
    return nullptr;
  }
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.env = table_env();
  // Bounded memory (backlog benchmark): the default 8 MB block cache would fill with spool blocks the
  // deliverers read once each; table files held open (one fd each, index block in memory) are capped too.
  options.block_cache = leveldb::NewLRUCache(block_cache_bytes);
  options.max_open_files = max_open_table_files;
  options.write_buffer_size = write_buffer_bytes;
  std::unique_ptr<leveldb::Cache> cache(options.block_cache);
  leveldb::DB* raw = nullptr;
  auto status = leveldb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    error = "cannot open state store " + dir + ": " + status.ToString();
    if (status.ToString().find("lock") != std::string::npos)
      error += " (is another spec-notify process using this state_dir?)";
    return nullptr;
  }
  // Opening replays LevelDB's write-ahead log into a memtable. The router writes bounded chunks now, but a
  // log written by an older version may hold one ~33 MB batch (100k deliveries): that transient peak would
  // stay resident unless handed back to the OS (docs/benchmarks.md).
  ::malloc_trim(0);
  auto result = std::unique_ptr<db>(new db(raw, cache.release(), dir));
  std::string version;
  if (!result->get("meta/schema_version", version)) {
    batch b;
    b.put("meta/schema_version", "1");
    if (auto err = result->write(b); !err.empty()) {
      error = "cannot write state store " + dir + ": " + err;
      return nullptr;
    }
  } else if (version != "1") {
    error = "state store " + dir + " has schema version " + version + "; this spec-notify reads version 1";
    return nullptr;
  }
  return result;
}

db::~db() {
  delete raw_;
  delete cache_;
}

std::string db::roll_log() {
  std::string usage;
  raw_->GetProperty("leveldb.approximate-memory-usage", &usage);
  const uint64_t need = (uint64_t(1) << 20) + (usage.empty() ? 0 : std::stoull(usage));
  if (free_bytes(dir_) < need)
    return "not writing until space returns (" + std::to_string(need / 1024) +
           " kB needed) after: " + torn_error_;
  // Flushing the memtable (every acknowledged write) into a table makes LevelDB switch to a new log and
  // delete the old one, torn record and all. A key range past every key keeps the compaction itself to the
  // memtable.
  const uint64_t before = newest_log(dir_);
  const std::string past_all = "\xff\xff";
  const leveldb::Slice k(past_all);
  raw_->CompactRange(&k, &k);
  if (newest_log(dir_) <= before) return "cannot start a fresh write-ahead log after: " + torn_error_;
  leveldb::WriteBatch empty;
  if (auto s = raw_->Write(leveldb::WriteOptions(), &empty); !s.ok())
    return s.ToString() + " (the store needs a restart of spec-notify once space is available)";
  logging::info("store", dir_ + ": writable again; started a fresh write-ahead log");
  torn_ = false;
  return {};
}

std::string db::write(const batch& b, durability d) {
  if (torn_) {
    std::lock_guard<std::mutex> lock(roll_mutex_);
    if (torn_)
      if (auto err = roll_log(); !err.empty()) return err;
  }
  leveldb::WriteBatch wb;
  for (const auto& op : b.ops_) {
    if (op.erase)
      wb.Delete(op.key);
    else
      wb.Put(op.key, op.value);
  }
  leveldb::WriteOptions options;
  options.sync = d == durability::synced;
  auto status = raw_->Write(options, &wb);
  if (status.ok()) return {};
  if (status.IsIOError()) {
    std::lock_guard<std::mutex> lock(roll_mutex_);
    torn_error_ = status.ToString();
    torn_ = true;
  }
  return status.ToString();
}

bool db::get(const std::string& key, std::string& value) const {
  return raw_->Get(leveldb::ReadOptions(), key, &value).ok();
}

void db::scan(const std::string& prefix,
              const std::function<bool(const std::string&, const std::string&)>& visit) const {
  leveldb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(raw_->NewIterator(options));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!key.starts_with(prefix)) break;
    if (!visit(key.ToString(), it->value().ToString())) break;
  }
}

}  // namespace spec_notify::store
