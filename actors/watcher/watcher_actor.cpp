#include "actors/watcher/watcher_actor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <cerrno>
#include <functional>
#include <memory>
#include <set>
#include <system_error>
#include <thread>

#include "actors/log.hpp"
#include "actors/watcher/file_scan.hpp"
#include "actors/watcher/inotify_source.hpp"
#include "actors/watcher/rescan_policy.hpp"
#include "messages/file_change.hpp"

namespace spec_notify::watcher {
namespace {

using steady = std::chrono::steady_clock;
// From the waiting thread: the inotify fd is readable.
using inotify_atom = caf::atom_constant<caf::atom("inotify")>;

// Its own timer (tick, generation: only the latest armed tick counts) and the waiting thread's wake-up on top
// of the public interface.
using impl_actor = watcher_actor::extend<caf::reacts_to<tick_atom, uint64_t>, caf::reacts_to<inotify_atom>>;

// Blocks in poll() on the inotify fd in a thread of its own, so the actor itself waits in its mailbox: an
// idle daemon wakes for an event, a timer or a message (exit, new wiring) and never to look at an empty
// queue. After each `ready` it waits for rearm(), called once the actor has drained the queue, so a burst of
// events is one message. Stopped and joined by the destructor (the actor's state goes on exit).
class inotify_waiter {
 public:
  inotify_waiter(int fd, std::function<void()> ready) : fd_(fd), ready_(std::move(ready)) {
    stop_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    rearm_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_ < 0 || rearm_ < 0) return;
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
    }
  }
  ~inotify_waiter() {
    signal(stop_);
    if (thread_.joinable()) thread_.join();
    if (stop_ >= 0) ::close(stop_);
    if (rearm_ >= 0) ::close(rearm_);
  }
  inotify_waiter(const inotify_waiter&) = delete;
  inotify_waiter& operator=(const inotify_waiter&) = delete;

  bool ok() const { return thread_.joinable(); }
  void rearm() { signal(rearm_); }

 private:
  static void signal(int efd) {
    if (efd < 0) return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(efd, &one, sizeof one);
  }
  // Waits until `fd` is readable; false when stopped (or poll failed for good).
  bool wait_for(int fd) {
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {stop_, POLLIN, 0}};
      if (::poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (p[1].revents) return false;
      if (p[0].revents) return true;
    }
  }
  void run() {
    while (wait_for(fd_)) {
      ready_();
      if (!wait_for(rearm_)) return;
      uint64_t n;
      [[maybe_unused]] auto r = ::read(rearm_, &n, sizeof n);
    }
  }
  int fd_;
  std::function<void()> ready_;
  int stop_ = -1, rearm_ = -1;
  std::thread thread_;
};

struct watcher_state {
  // CAF constructs State(self) for aggregates: keep a user-declared default constructor.
  watcher_state() : schedule(std::chrono::milliseconds(1000)) {}
  watcher_options opt;
  std::unique_ptr<inotify_source> source;
  std::unique_ptr<inotify_waiter> waiter;  // after `source`: stopped before the fd closes
  rescan_schedule schedule;
  differ_actor differ;
  snapshot last;
  refusals
      refused;  // files not read (outside the repo, FIFOs, ...), each warned about once while it stays so
  std::set<std::string> pending;
  steady::time_point first_pending;
  source_health health = source_health::unavailable;
  bool full_report = true;  // the next report lists every file (start, or a new differ instance)
  uint64_t tick_generation = 0;
  bool armed = false;
  steady::time_point armed_for;
};

using self_ptr = impl_actor::stateful_pointer<watcher_state>;

source_health health_of(const watcher_state& st) {
  if (!st.source || !st.source->ok() || !st.waiter) return source_health::unavailable;
  return st.source->watches_complete() ? source_health::healthy : source_health::incomplete;
}

// One warning per refused file, not one per rescan: a path is warned about again only after it was fine or
// gone in between.
void warn_once(watcher_state& st, const std::string& rel, const std::string& reason) {
  if (st.refused.count(rel)) return;
  logging::warn("watcher", rel + ": " + reason);
  st.refused[rel] = reason;
}

// Replaces the refused set with a rescan's, warning about the new entries only.
void update_refused(watcher_state& st, refusals fresh) {
  for (const auto& [rel, reason] : fresh)
    if (!st.refused.count(rel)) logging::warn("watcher", rel + ": " + reason);
  st.refused = std::move(fresh);
}

snapshot rescan(watcher_state& st) {
  refusals refused;
  auto snap = scan_tracked_files(st.opt.repo, st.opt.evidence_rel, &refused);
  if (logging::enabled(logging::level::debug))
    logging::debug("watcher", "rescanned: " + std::to_string(snap.size()) + " tracked file(s), " +
                                  std::to_string(refused.size()) + " refused");
  update_refused(st, std::move(refused));
  return snap;
}

void flush(self_ptr self) {
  auto& st = self->state;
  std::vector<std::string> paths;
  paths.reserve(st.pending.size());
  // Remember what was reported so the next rescan does not report it again. A file that cannot be read
  // safely (an inotify event for a symlink out of the repo, a FIFO) is not reported at all.
  for (const auto& p : st.pending) {
    file_stamp s;
    std::string reason;
    if (stamp_file(st.opt.repo, p, s, &reason)) {
      st.last[p] = s;
      st.refused.erase(p);
      paths.push_back(p);
    } else if (!reason.empty()) {
      warn_once(st, p, reason);
    } else {
      paths.push_back(p);  // gone again: the differ keeps its last states (removed rows emit nothing)
    }
  }
  st.pending.clear();
  if (!paths.empty()) self->send(st.differ, files_changed{std::move(paths)});
}

// CPU time of this (the watcher's own, detached) thread: what a rescan costs, whatever else the machine runs.
std::chrono::microseconds thread_cpu_time() {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return std::chrono::microseconds(0);
  return std::chrono::seconds(ts.tv_sec) +
         std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(ts.tv_nsec));
}

// Reads what inotify queued (never blocks) and notes an overflow or a change of health.
void drain_events(watcher_state& st) {
  if (health_of(st) == source_health::unavailable) return;
  if (!st.source->poll(0, st.pending)) {
    logging::warn("watcher", "inotify queue overflowed; rescanning");
    st.source->refresh_watches();
    st.schedule.overflowed(steady::now());
  }
  if (st.source->take_created()) st.schedule.recheck_after(steady::now());
}

void step(self_ptr self) {
  auto& st = self->state;
  if (!st.differ) return;
  auto now = steady::now();
  const auto health = health_of(st);
  if (health != st.health) {
    if (health == source_health::incomplete)
      logging::debug("watcher", "a folder is not watched; rescanning every poll_interval until it is");
    st.health = health;
    st.schedule.health_changed(health);
  }
  const bool inotify = health != source_health::unavailable;
  if (st.full_report) {
    const auto cpu_before = thread_cpu_time();
    st.last = rescan(st);
    std::vector<std::string> all;
    for (const auto& [p, s] : st.last) all.push_back(p);
    st.full_report = false;
    st.schedule.rescanned(now, st.health, false, thread_cpu_time() - cpu_before);
    // Sent even when empty: it is how the differ learns that the first scan happened.
    self->send(st.differ, files_changed{std::move(all)});
    return;
  }
  if (st.schedule.due(now)) {
    const auto cpu_before = thread_cpu_time();
    auto fresh = rescan(st);
    // A file modified within the last moments may be mid-write (an in-place save between truncate and
    // write): keep its old stamp so it is taken at its close event or the next rescan, never half-written.
    auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    bool held_back = false;
    for (auto& p : changed_paths(st.last, fresh)) {
      // (A future mtime, from clock skew or `touch -d`, is not "just modified": it would never age.)
      const auto age_ns = wall_ns - fresh[p].mtime_ns;
      if (inotify && age_ns >= 0 && age_ns < 200'000'000) {
        if (auto old = st.last.find(p); old != st.last.end())
          fresh[p] = old->second;
        else
          fresh.erase(p);
        held_back = true;
        continue;
      }
      st.pending.insert(std::move(p));
    }
    // A change no event reported while every watch was in place means a watch is missing after all.
    const bool missed = st.health == source_health::healthy && !st.pending.empty();
    st.last = std::move(fresh);
    // Picks up folders created while a watch was missing. Not after a healthy rescan that found nothing: the
    // watches are in place, and re-adding them costs one realpath per SPEC folder.
    if (inotify && (st.health != source_health::healthy || missed)) st.source->refresh_watches();
    st.health = health_of(st);
    now = steady::now();
    st.schedule.rescanned(now, st.health, held_back, thread_cpu_time() - cpu_before);
  }
  if (st.pending.empty()) return;
  if (st.first_pending == steady::time_point{}) st.first_pending = now;
  if (now - st.first_pending >= st.opt.coalesce || !inotify) {
    st.first_pending = {};
    flush(self);
  }
}

// Schedules the next tick for the earliest of the next rescan and the end of the coalesce window. An armed
// tick that comes earlier stays (it re-arms when it runs); a later one is superseded through the generation.
void arm(self_ptr self) {
  auto& st = self->state;
  if (!st.differ) return;
  auto deadline = st.schedule.next();
  if (!st.pending.empty() && st.first_pending != steady::time_point{})
    deadline = std::min(deadline, st.first_pending + st.opt.coalesce);
  if (st.armed && st.armed_for <= deadline) return;
  st.armed = true;
  st.armed_for = deadline;
  auto wait = std::max(steady::duration::zero(), deadline - steady::now());
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::microseconds>(wait), tick_atom::value,
                     ++st.tick_generation);
}

// Nothing a repo holds may restart the watcher: an unexpected failure is a warning, the next tick rescans.
void run(self_ptr self) {
  try {
    step(self);
  } catch (const std::exception& e) {
    logging::warn("watcher", std::string("scan failed: ") + e.what());
    self->state.pending.clear();
    self->state.first_pending = {};
  }
  arm(self);
}

impl_actor::behavior_type watcher_behavior(self_ptr self, watcher_options opt) {
  auto& st = self->state;
  st.opt = std::move(opt);
  st.schedule = rescan_schedule(st.opt.rescan);
  st.source = std::make_unique<inotify_source>(st.opt.repo, st.opt.evidence_rel);
  if (!st.source->ok()) logging::warn("watcher", "inotify unavailable; polling every 100 ms instead");
  return {
      [=](wire_atom, const differ_actor& differ) {
        auto& st = self->state;
        bool first = !st.differ;
        if (st.differ != differ) st.full_report = true;
        st.differ = differ;
        if (first && st.source->ok()) {
          // Started with the first wiring: events queued before it are covered by the full report.
          impl_actor me = caf::actor_cast<impl_actor>(self);
          st.waiter = std::make_unique<inotify_waiter>(st.source->fd(),
                                                       [me] { caf::anon_send(me, inotify_atom::value); });
          if (!st.waiter->ok()) {
            st.waiter.reset();
            logging::warn("watcher", "cannot start the inotify thread; polling every 100 ms instead");
          }
        }
        run(self);
      },
      [=](tick_atom, uint64_t generation) {
        auto& st = self->state;
        if (generation != st.tick_generation) return;  // superseded by an earlier deadline
        st.armed = false;
        run(self);
      },
      [=](inotify_atom) {
        auto& st = self->state;
        try {
          drain_events(st);
        } catch (const std::exception& e) {
          logging::warn("watcher", std::string("reading inotify events failed: ") + e.what());
        }
        if (st.waiter) st.waiter->rearm();
        run(self);
      },
  };
}

}  // namespace

watcher_actor spawn_watcher(caf::local_actor* parent, watcher_options options) {
  return parent->spawn<caf::detached + caf::monitored>(watcher_behavior, std::move(options));
}

}  // namespace spec_notify::watcher
