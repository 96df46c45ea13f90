#include "actors/watcher/watcher_actor.hpp"

#include <caf/all.hpp>
#include <memory>
#include <set>

#include "actors/log.hpp"
#include "actors/watcher/file_scan.hpp"
#include "actors/watcher/inotify_source.hpp"
#include "messages/file_change.hpp"
#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"

namespace spec_notify::watcher {
namespace {

using steady = std::chrono::steady_clock;

struct watcher_state {
  watcher_state() {}  // CAF constructs State(self) for aggregates: keep a user-declared default constructor.
  watcher_options opt;
  std::unique_ptr<inotify_source> source;
  caf::actor differ;
  snapshot last;
  std::set<std::string> pending;
  steady::time_point first_pending, next_rescan;
  bool full_report = true;  // the next report lists every file (start, or a new differ instance)
};

using self_ptr = caf::stateful_actor<watcher_state>*;

void flush(self_ptr self) {
  auto& st = self->state;
  std::vector<std::string> paths(st.pending.begin(), st.pending.end());
  st.pending.clear();
  // Remember what was reported so the next rescan does not report it again.
  for (const auto& p : paths) {
    file_stamp s;
    if (stamp_file(st.opt.repo / p, s)) st.last[p] = s;
  }
  self->send(st.differ, files_changed{std::move(paths)});
}

void step(self_ptr self) {
  auto& st = self->state;
  auto now = steady::now();
  bool inotify = st.source && st.source->ok();
  if (st.full_report) {
    st.last = scan_tracked_files(st.opt.repo, st.opt.evidence_rel);
    std::vector<std::string> all;
    for (const auto& [p, s] : st.last) all.push_back(p);
    st.full_report = false;
    st.next_rescan = now + st.opt.rescan;
    // Sent even when empty: it is how the differ learns that the first scan happened.
    self->send(st.differ, files_changed{std::move(all)});
    return;
  }
  if (inotify && !st.source->poll(25, st.pending)) {
    logging::warn("watcher", "inotify queue overflowed; rescanning");
    st.source->refresh_watches();
    st.next_rescan = now;
  }
  now = steady::now();
  if (now >= st.next_rescan || !inotify) {
    auto fresh = scan_tracked_files(st.opt.repo, st.opt.evidence_rel);
    // A file modified within the last moments may be mid-write (an in-place save between truncate and
    // write): keep its old stamp so it is taken at its close event or the next rescan, never half-written.
    auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    for (auto& p : changed_paths(st.last, fresh)) {
      // (A future mtime, from clock skew or `touch -d`, is not "just modified": it would never age.)
      const auto age_ns = wall_ns - fresh[p].mtime_ns;
      if (inotify && age_ns >= 0 && age_ns < 200'000'000) {
        if (auto old = st.last.find(p); old != st.last.end())
          fresh[p] = old->second;
        else
          fresh.erase(p);
        continue;
      }
      st.pending.insert(std::move(p));
    }
    st.last = std::move(fresh);
    st.next_rescan = now + st.opt.rescan;
    if (inotify) st.source->refresh_watches();  // picks up folders created while a watch was missing
  }
  if (st.pending.empty()) return;
  if (st.first_pending == steady::time_point{}) st.first_pending = now;
  if (now - st.first_pending >= st.opt.coalesce || !inotify) {
    st.first_pending = {};
    flush(self);
  }
}

caf::behavior watcher_behavior(self_ptr self, watcher_options opt) {
  self->state.opt = std::move(opt);
  self->state.source = std::make_unique<inotify_source>(self->state.opt.repo, self->state.opt.evidence_rel);
  if (!self->state.source->ok())
    logging::warn("watcher", "inotify unavailable; polling every 100 ms instead");
  return {
      [=](wire_atom, const wiring& w) {
        bool first = !self->state.differ;
        if (self->state.differ != w.differ) self->state.full_report = true;
        self->state.differ = w.differ;
        if (first) self->send(self, tick_atom::value);
      },
      [=](tick_atom) {
        step(self);
        // With inotify, poll() itself waits (up to 25 ms); without, pace the stat loop.
        if (self->state.source->ok() && self->state.pending.empty())
          self->send(self, tick_atom::value);
        else
          self->delayed_send(self, std::chrono::milliseconds(self->state.source->ok() ? 5 : 100),
                             tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_watcher(caf::local_actor* parent, watcher_options options) {
  return parent->spawn<caf::detached + caf::monitored>(watcher_behavior, std::move(options));
}

}  // namespace spec_notify::watcher
