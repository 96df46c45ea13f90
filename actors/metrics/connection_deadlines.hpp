#pragma once
// Per-connection deadlines for the metrics endpoint: a connection still open at its deadline has its socket
// shut down (from this class's own thread), which ends any blocking read or write on it at once. Poco's
// HTTPServer timeout is per system call, so a client sending one header byte per second would otherwise hold
// a server thread for as long as it likes (slow loris).
//
// Who calls it: the metrics server's connection threads (watch/forget) and its destructor (shutdown_all).
// Thread-safe. Works on a dup() of each descriptor, so a shutdown never hits an unrelated descriptor that
// reused the number after the connection closed its own.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace spec_notify::metrics {

class connection_deadlines {
 public:
  using clock = std::chrono::steady_clock;

  connection_deadlines();
  ~connection_deadlines();  // joins the thread; does not shut anything down
  connection_deadlines(const connection_deadlines&) = delete;
  connection_deadlines& operator=(const connection_deadlines&) = delete;

  // Starts watching `fd` (or moves its deadline). After shutdown_all() the socket is shut down at once.
  void watch(int fd, clock::time_point deadline);
  // Stops watching `fd`. REQUIRES: called before the connection closes `fd`.
  void forget(int fd);
  // Shuts down every watched socket now, and every one watched later (server stop).
  void shutdown_all();

  // Connections cut at their deadline so far (tests and logs).
  uint64_t expired() const;

 private:
  struct entry {
    int dup_fd;
    clock::time_point deadline;
  };
  void run();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, entry> watched_;  // by the connection's own descriptor
  bool stop_ = false, shut_all_ = false;
  uint64_t expired_ = 0;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace spec_notify::metrics
