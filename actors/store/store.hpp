#pragma once
// The one LevelDB of a daemon: last-seen task states, undelivered events, the delivery spool, dead letters.
// Key schema (keys.hpp builds and parses every key; values are JSON records from records.hpp unless noted):
//   meta/schema_version -> "2"           meta/baseline -> "1" once the first scan was recorded
//   task/<file>\0<task id> -> "<canonical status>\n<raw cell>"
//   evt/<event id>         -> event the differ produced and the router has not fanned out yet
//   dlv/<name>/<delivery id>  -> pending delivery of subscription <name> (attempts, next attempt, history)
//   dead/<name>/<delivery id> -> dead letter (the delivery; next_at_ms = when it died)
//   sub/<name>/disabled    -> reason (set on HTTP 410; kept across restarts until replay/resume)
//   sub/<name>/paused      -> "1" while an operator has paused the subscription (admin pause/resume)
//   sub/<name>/rate        -> rate limiter state, unix us (rate_limit; written by the deliverer per attempt)
//   sub/<name>/breaker     -> unix ms the circuit opened (set while open; deleted when it closes)
//   seq/<name>/<key>       -> last sequence number given under ordering key <key> (router, with the dlv/)
//   seen/<file>            -> "1": telemetry file already announced
// Schema version 1 (dlv/<id>, dead/<id>) is migrated at open, once, crash-safely (migration.hpp); a newer
// version is refused.
// Each stage writes its output together with the consumption of its input in ONE batch (transactional
// outbox), which is what keeps "nothing lost, nothing emitted twice" true across kill -9.
// Thread-safety: LevelDB serialises writers itself and commits concurrent synced writes as one group, so one
// store may be shared by every actor of the process.
// One process per directory: besides LevelDB's LOCK file (which a `rm` defeats: the next process creates and
// locks a new one) the store holds an flock(2) on the directory itself for its lifetime (store_env.hpp).
// Permissions: the directory is created 0700 and every file 0600 whatever the umask (store_env.hpp).
//
// Lost records (a warning at open instead of a silent re-baseline). LevelDB cannot tell on its own: a
// write-ahead log (*.log) emptied or cut at a record boundary reads as "nothing more was written", and a
// deleted store reads as a new one. So the store keeps a checkpoint number in two places:
//   meta/checkpoint -> "<n>"            written (synced, alone in its batch) at open, at most every 5 s
//                                       while writes happen, and as the last write of a clean close;
//   <dir>/SPEC-NOTIFY-CHECKPOINT "<n>"  written (temp + fdatasync + rename) only after the key is durable.
// At open, a file number greater than the key's (or a key missing while the file exists) means records the
// store durably held are gone: a WARNING naming the directory, then a new checkpoint (warned once).
// Why this is reliable with LevelDB: the key and the file are written by one thread at a time (never raced
// by other writers, unlike a counter in every batch, whose commit order LevelDB does not expose), and the
// file never gets ahead of what was synced, so a crash or power loss cannot cause a false alarm. What it
// cannot see: records written after the last checkpoint (at most ~5 s of them) lost after a crash, and a
// restore of the whole directory (the file comes back with it). LevelDB ignores files it did not name, so
// the checkpoint file survives its compactions.
// Memory: a batch is one write-ahead-log record and is replayed into one memtable at the next open, so
// writers of bulk data keep their batches bounded (the router writes at most ~1 MB per batch). Table files
// are read with pread into a small block cache instead of LevelDB's default mmap, so a scan of a large spool
// does not leave the spool's pages counted in the daemon's RSS (docs/benchmarks.md, backlog).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "messages/status.hpp"

namespace leveldb {
class Cache;
class DB;
class WriteBatch;
}  // namespace leveldb

namespace spec_notify::store {

// A set of puts and deletes applied atomically.
class batch {
 public:
  void put(std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void del(std::string key) {
    bytes_ += key.size();
    ops_.push_back({std::move(key), {}, true});
  }
  // Moves `other`'s operations after this batch's, in order (the spool's group commit).
  void append(batch&& other) {
    if (ops_.empty()) {
      ops_ = std::move(other.ops_);
    } else {
      ops_.reserve(ops_.size() + other.ops_.size());
      for (auto& op : other.ops_) ops_.push_back(std::move(op));
    }
    bytes_ += other.bytes_;
    other.ops_.clear();
    other.bytes_ = 0;
  }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  size_t bytes() const { return bytes_; }  // keys + values: about the size of its write-ahead-log record

 private:
  friend class db;
  struct op {
    std::string key, value;
    bool erase;
  };
  std::vector<op> ops_;
  size_t bytes_ = 0;
};

enum class durability { synced, buffered };  // buffered survives kill -9 (OS page cache), not power loss

class db {
 public:
  // Opens (creating when missing) the store at `dir`; on failure, a message naming the directory (e.g. held
  // by another process, permission denied). The pointer converts to db_ptr: `db_ptr p = std::move(*r);`.
  static result<std::unique_ptr<db>> open(const std::string& dir);
  ~db();

  // ok, else the LevelDB error text. After a failed write (e.g. disk full) LevelDB's
  // write-ahead log may end in a torn record; appending after it would make everything written later
  // unreadable at the next open. So further writes are refused until the store could start a fresh log (once
  // space returns).
  status write(const batch& b, durability d = durability::synced);
  bool get(const std::string& key, std::string& value) const;
  // Visits every key starting with `prefix` in key order until `visit` returns false. A scan reads past the
  // block cache (it would only evict what point reads use).
  void scan(const std::string& prefix,
            const std::function<bool(const std::string& key, const std::string& value)>& visit) const;
  // The first key >= `from` (false when none): lets a caller skip whole key ranges, e.g. from one
  // subscription's dlv/<name>/ to the next (find_by_id.hpp) without reading the records between.
  bool seek(const std::string& from, std::string& key) const;
  const std::string& dir() const { return dir_; }
  // The lost-records warning logged at open (see the top comment), "" when none.
  const std::string& open_warning() const { return open_warning_; }

 private:
  db(leveldb::DB* raw, leveldb::Cache* cache, std::string dir, int lock_fd)
      : raw_(raw), cache_(cache), dir_(std::move(dir)), lock_fd_(lock_fd) {}
  friend std::string migrate_layout(db& store);  // writes its one batch through write_batch
  std::string roll_log();                        // with roll_mutex_ held
  std::string write_batch(leveldb::WriteBatch& wb, bool sync);
  void check_checkpoint();   // at open
  std::string checkpoint();  // with checkpoint_mutex_ held
  leveldb::DB* raw_;
  leveldb::Cache* cache_;  // the block cache (deleted after raw_)
  std::string dir_;
  std::atomic<bool> torn_{false};  // a write failed: the current log may end in a partial record
  std::mutex roll_mutex_;
  std::string torn_error_;  // why (with roll_mutex_ held)
  int lock_fd_;             // the directory's flock, closed last
  std::mutex checkpoint_mutex_;
  uint64_t checkpoint_n_ = 0;  // with checkpoint_mutex_ held
  // Steady-clock ms of the next periodic checkpoint; none before check_checkpoint() read the old numbers.
  std::atomic<int64_t> next_checkpoint_ms_{INT64_MAX};
  bool checkpoints_ = false;  // set by check_checkpoint(): close writes one
  std::string open_warning_;
};

using db_ptr = std::shared_ptr<db>;

}  // namespace spec_notify::store
