#include "actors/store/store.hpp"

#include <fcntl.h>
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/write_batch.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "actors/log.hpp"
#include "actors/store/keys.hpp"
#include "actors/store/migration.hpp"
#include "actors/store/store_env.hpp"

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

uint64_t free_bytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

constexpr const char* checkpoint_file = "SPEC-NOTIFY-CHECKPOINT";
constexpr int64_t checkpoint_every_ms = 5000;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool parse_u64(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  out = std::stoull(text);
  return true;
}

// The checkpoint file: "<n>\n". False when missing or unreadable (a store from before checkpoints).
bool read_checkpoint_file(const std::string& dir, uint64_t& n) {
  const int fd = ::open((dir + "/" + checkpoint_file).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[32] = {};
  const ssize_t got = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (got <= 0) return false;
  std::string text(buf, static_cast<size_t>(got));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return parse_u64(text, n);
}

// Temp file (0600) + fdatasync + rename: the file names n only once the store holds it durably (the caller
// wrote it synced first), so a power loss leaves an older number, never a newer one.
void write_checkpoint_file(const std::string& dir, uint64_t n) {
  const std::string path = dir + "/" + checkpoint_file, tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  static_cast<void>(::fchmod(fd, 0600));
  const std::string text = std::to_string(n) + "\n";
  const bool ok =
      ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

constexpr size_t block_cache_bytes = size_t(1) << 20;
constexpr int max_open_table_files = 64;
constexpr size_t write_buffer_bytes = size_t(4) << 20;  // LevelDB's default

}  // namespace

result<std::unique_ptr<db>> db::open(const std::string& dir) {
  if (auto prepared = prepare_state_dir(dir); !prepared) return prepared;
  auto locked = lock_state_dir(dir);
  if (!locked) return locked.error();
  const int lock_fd = *locked;
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.env = store_env();
  // Bounded memory (backlog benchmark): the default 8 MB block cache would fill with spool blocks the
  // deliverers read once each; table files held open (one fd each, index block in memory) are capped too.
  options.block_cache = leveldb::NewLRUCache(block_cache_bytes);
  options.max_open_files = max_open_table_files;
  options.write_buffer_size = write_buffer_bytes;
  std::unique_ptr<leveldb::Cache> cache(options.block_cache);
  leveldb::DB* raw = nullptr;
  auto opened = leveldb::DB::Open(options, dir, &raw);
  if (!opened.ok()) {
    ::close(lock_fd);
    std::string error = "cannot open state store " + dir + ": " + opened.ToString();
    if (opened.ToString().find("lock") != std::string::npos)
      error += " (is another spec-notify process using this state_dir?)";
    return status::failure(std::move(error));
  }
  // Opening replays LevelDB's write-ahead log into a memtable. The router writes bounded chunks now, but a
  // log written by an older version may hold one ~33 MB batch (100k deliveries): that transient peak would
  // stay resident unless handed back to the OS (docs/benchmarks.md).
  ::malloc_trim(0);
  auto store = std::unique_ptr<db>(new db(raw, cache.release(), dir, lock_fd));
  if (auto error = migrate_layout(*store); !error.empty()) return status::failure(std::move(error));
  store->check_checkpoint();
  return {std::move(store)};
}

void db::check_checkpoint() {
  std::string text;
  uint64_t stored = 0, noted = 0;
  const bool have_stored = get(checkpoint_key, text) && parse_u64(text, stored);
  const bool have_noted = read_checkpoint_file(dir_, noted);
  if (have_noted && stored < noted) {
    open_warning_ =
        "state store " + dir_ + " has lost records: " + checkpoint_file + " says checkpoint #" +
        std::to_string(noted) + " was written, but the store " +
        (have_stored ? "only holds #" + std::to_string(stored) : "holds none") +
        " (LevelDB's write-ahead log *.log emptied or truncated, store files deleted, or an older "
        "copy restored?). Pending deliveries, dead letters and task states written since are gone: "
        "changes made meanwhile may be announced again or not at all";
    logging::warn("store", open_warning_);
  }
  std::lock_guard<std::mutex> lock(checkpoint_mutex_);
  checkpoint_n_ = std::max(stored, noted);
  checkpoints_ = true;
  if (auto err = checkpoint(); !err.empty())
    logging::warn("store", dir_ + ": cannot write a checkpoint: " + err);
}

std::string db::checkpoint() {
  leveldb::WriteBatch wb;
  wb.Put(checkpoint_key, std::to_string(checkpoint_n_ + 1));
  if (auto err = write_batch(wb, true); !err.empty()) return err;
  ++checkpoint_n_;
  write_checkpoint_file(dir_, checkpoint_n_);
  next_checkpoint_ms_ = steady_ms() + checkpoint_every_ms;
  return {};
}

db::~db() {
  if (checkpoints_ && !torn_) {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    static_cast<void>(checkpoint());  // the last write: a log emptied after a clean stop is noticed
  }
  delete raw_;
  delete cache_;
  if (lock_fd_ >= 0) ::close(lock_fd_);  // after LevelDB let go of the store
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

status db::write(const batch& b, durability d) {
  leveldb::WriteBatch wb;
  for (const auto& op : b.ops_) {
    if (op.erase)
      wb.Delete(op.key);
    else
      wb.Put(op.key, op.value);
  }
  auto err = write_batch(wb, d == durability::synced);
  if (err.empty() && steady_ms() >= next_checkpoint_ms_ && checkpoint_mutex_.try_lock()) {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_, std::adopt_lock);
    if (steady_ms() >= next_checkpoint_ms_) static_cast<void>(checkpoint());  // best effort; retried later
  }
  return err.empty() ? status::success() : status::failure(std::move(err));
}

std::string db::write_batch(leveldb::WriteBatch& wb, bool sync) {
  if (torn_) {
    std::lock_guard<std::mutex> lock(roll_mutex_);
    if (torn_)
      if (auto err = roll_log(); !err.empty()) return err;
  }
  leveldb::WriteOptions options;
  options.sync = sync;
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

bool db::seek(const std::string& from, std::string& key) const {
  leveldb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(raw_->NewIterator(options));
  it->Seek(from);
  if (!it->Valid()) return false;
  key = it->key().ToString();
  return true;
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
