#pragma once
// When the watcher runs its full stat rescan (issue 18 item 3: idle cost). A rescan stats every tracked file
// and re-adds every watch: with 30,000 SPEC folders that is ~60,000 realpath calls, so it must not run every
// `poll_interval` while inotify already reports each change within milliseconds. Pure: the caller passes the
// time and the inotify source's health; unit-tested in tests/actors/watcher/rescan_policy_test.cpp.
//  - inotify healthy (every relevant folder watched, no overflow): a safety rescan every
//    max(60 s, 10 x poll_interval, 1000 x the CPU time the last rescan took), for what no event reports (a
//    network file system, a folder swapped in between two watches). The last term keeps the safety net under
//    0.1 % of a core however big the repo: measured, one rescan of 30,000 SPEC folders takes ~0.5-0.9 s of
//    CPU, so there it runs every ~10-15 min, while 1,000 folders (~20 ms) keep the 60 s.
//  - a watch missing or lost (could not be added, folder deleted or moved): every poll_interval, as before
//  this
//    change, until a rescan's refresh puts every watch back.
//  - a queue overflow: a rescan now (the events are lost).
//  - inotify unavailable: every 100 ms (the only source then, as before).
//  - a rescan held back a file modified in its last 200 ms (maybe mid-write): the next one after
//  poll_interval,
//    since after an overflow its close event may be gone.
#include <algorithm>
#include <chrono>

namespace spec_notify::watcher {

enum class source_health { unavailable, incomplete, healthy };

// The period of the stat loop when there is no inotify at all.
constexpr std::chrono::milliseconds unavailable_rescan_period{100};

// The safety rescan behind healthy inotify.
inline std::chrono::milliseconds safety_rescan_period(std::chrono::milliseconds poll_interval) {
  return std::max<std::chrono::milliseconds>(std::chrono::seconds(60), poll_interval * 10);
}

// The safety period stretched so that a rescan costing `cost` of CPU uses at most 1/1000 of a core.
inline std::chrono::milliseconds safety_rescan_period(std::chrono::milliseconds poll_interval,
                                                      std::chrono::microseconds cost) {
  return std::max(safety_rescan_period(poll_interval),
                  std::chrono::duration_cast<std::chrono::milliseconds>(cost * 1000));
}

// Time from one rescan to the next, given the health after the rescan, whether it held a file back and the
// CPU time it took.
inline std::chrono::milliseconds rescan_period(
    source_health health, std::chrono::milliseconds poll_interval, bool held_back,
    std::chrono::microseconds cost = std::chrono::microseconds(0)) {
  switch (health) {
    case source_health::unavailable:
      return unavailable_rescan_period;
    case source_health::incomplete:
      return poll_interval;
    case source_health::healthy:
      break;
  }
  return held_back ? poll_interval : safety_rescan_period(poll_interval, cost);
}

class rescan_schedule {
 public:
  using clock = std::chrono::steady_clock;

  explicit rescan_schedule(std::chrono::milliseconds poll_interval) : poll_interval_(poll_interval) {}

  // A full rescan ran at `now` and took `cost` of CPU.
  void rescanned(clock::time_point now, source_health health, bool held_back,
                 std::chrono::microseconds cost = std::chrono::microseconds(0)) {
    last_ = now;
    next_ = now + rescan_period(health, poll_interval_, held_back, cost);
  }
  // The source's health changed between rescans (a watch lost or not added): a worse health brings the next
  // rescan forward; a better one never postpones it (the rescan also retries the watches).
  void health_changed(source_health health) {
    next_ = std::min(next_, last_ + rescan_period(health, poll_interval_, false));
  }
  // Something appeared that no close/rename event may follow: rescan within poll_interval.
  void recheck_after(clock::time_point now) { next_ = std::min(next_, now + poll_interval_); }
  // Events were lost: rescan at once.
  void overflowed(clock::time_point now) { next_ = std::min(next_, now); }

  bool due(clock::time_point now) const { return now >= next_; }
  clock::time_point next() const { return next_; }

 private:
  std::chrono::milliseconds poll_interval_;
  clock::time_point last_{}, next_{};  // next_ = epoch: the first call to due() says yes
};

}  // namespace spec_notify::watcher
