#pragma once
// The one LevelDB of a daemon: last-seen task states, undelivered events, the delivery spool, dead letters.
// Key schema (prefix/...; values are JSON records from records.hpp unless noted):
//   meta/schema_version -> "1"           meta/baseline -> "1" once the first scan was recorded
//   task/<file>\0<task id> -> "<canonical status>\n<raw cell>"
//   evt/<event id>         -> event the differ produced and the router has not fanned out yet
//   dlv/<delivery id>      -> pending delivery (attempts, next attempt, history)
//   dead/<delivery id>     -> dead letter (delivery + dead_at)
//   sub/<name>/disabled    -> reason (set on HTTP 410; kept across restarts until replay/resume)
// Each stage writes its output together with the consumption of its input in ONE batch (transactional
// outbox), which is what keeps "nothing lost, nothing emitted twice" true across kill -9.
// Thread-safety: LevelDB serialises writers itself and commits concurrent synced writes as one group, so one
// store may be shared by every actor of the process. Only one process may open the directory (LOCK file).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace leveldb {
class DB;
}

namespace spec_notify::store {

// A set of puts and deletes applied atomically.
class batch {
 public:
  void put(std::string key, std::string value) { ops_.push_back({std::move(key), std::move(value), false}); }
  void del(std::string key) { ops_.push_back({std::move(key), {}, true}); }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  friend class db;
  struct op {
    std::string key, value;
    bool erase;
  };
  std::vector<op> ops_;
};

enum class durability { synced, buffered };  // buffered survives kill -9 (OS page cache), not power loss

class db {
 public:
  // Opens (creating when missing) the store at `dir`. On failure returns nullptr and sets `error` to a message
  // naming the directory (e.g. held by another process, permission denied).
  static std::unique_ptr<db> open(const std::string& dir, std::string& error);
  ~db();

  // Returns "" on success, else the LevelDB error text. After a failed write (e.g. disk full) LevelDB's
  // write-ahead log may end in a torn record; appending after it would make everything written later unreadable
  // at the next open. So further writes are refused until the store could start a fresh log (once space returns).
  std::string write(const batch& b, durability d = durability::synced);
  bool get(const std::string& key, std::string& value) const;
  // Visits every key starting with `prefix` in key order until `visit` returns false.
  void scan(const std::string& prefix,
            const std::function<bool(const std::string& key, const std::string& value)>& visit) const;
  const std::string& dir() const { return dir_; }

 private:
  db(leveldb::DB* raw, std::string dir) : raw_(raw), dir_(std::move(dir)) {}
  std::string roll_log();  // with roll_mutex_ held
  leveldb::DB* raw_;
  std::string dir_;
  std::atomic<bool> torn_{false};  // a write failed: the current log may end in a partial record
  std::mutex roll_mutex_;
  std::string torn_error_;         // why (with roll_mutex_ held)
};

using db_ptr = std::shared_ptr<db>;

}  // namespace spec_notify::store
