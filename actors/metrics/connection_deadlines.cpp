#include "actors/metrics/connection_deadlines.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace spec_notify::metrics {

connection_deadlines::connection_deadlines() : thread_([this] { run(); }) {}

connection_deadlines::~connection_deadlines() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    for (auto& [fd, e] : watched_) ::close(e.dup_fd);
    watched_.clear();
  }
  cv_.notify_one();
  thread_.join();
}

void connection_deadlines::watch(int fd, clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = watched_.find(fd);
  if (it == watched_.end()) {
    const int copy = ::dup(fd);
    if (copy < 0) return;  // out of descriptors: Poco's per-call timeout still applies
    it = watched_.emplace(fd, entry{copy, deadline}).first;
  }
  it->second.deadline = shut_all_ ? clock::time_point{} : deadline;
  cv_.notify_one();
}

void connection_deadlines::forget(int fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = watched_.find(fd);
  if (it == watched_.end()) return;
  ::close(it->second.dup_fd);
  watched_.erase(it);
}

void connection_deadlines::shutdown_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  shut_all_ = true;
  for (auto& [fd, e] : watched_) e.deadline = clock::time_point{};
  cv_.notify_one();
}

uint64_t connection_deadlines::expired() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return expired_;
}

void connection_deadlines::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    auto next = clock::time_point::max();
    const auto now = clock::now();
    for (auto& [fd, e] : watched_) {
      if (e.deadline == clock::time_point::max()) continue;  // already shut down
      if (e.deadline <= now) {
        ::shutdown(e.dup_fd, SHUT_RDWR);
        e.deadline = clock::time_point::max();
        if (!shut_all_) ++expired_;
      } else if (e.deadline < next) {
        next = e.deadline;
      }
    }
    if (next == clock::time_point::max())
      cv_.wait(lock);
    else
      cv_.wait_until(lock, next);
  }
}

}  // namespace spec_notify::metrics
