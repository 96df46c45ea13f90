#include "actors/watcher/watcher_actor.hpp"

#include <caf/all.hpp>
#include <memory>
#include <set>

#include "actors/log.hpp"
#include "actors/watcher/file_scan.hpp"
#include "actors/watcher/inotify_source.hpp"
#include "messages/file_change.hpp"

namespace spec_notify::watcher {
namespace {

using steady = std::chrono::steady_clock;

// Its own poll loop on top of the public interface.
using impl_actor = watcher_actor::extend<caf::reacts_to<tick_atom>>;

struct watcher_state {
  watcher_state() {}  // CAF constructs State(self) for aggregates: keep a user-declared default constructor.
  watcher_options opt;
  std::unique_ptr<inotify_source> source;
  differ_actor differ;
  snapshot last;
  refusals
      refused;  // files not read (outside the repo, FIFOs, ...), each warned about once while it stays so
  std::set<std::string> pending;
  steady::time_point first_pending, next_rescan;
  bool full_report = true;  // the next report lists every file (start, or a new differ instance)
};

using self_ptr = impl_actor::stateful_pointer<watcher_state>;

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

void step(self_ptr self) {
  auto& st = self->state;
  auto now = steady::now();
  bool inotify = st.source && st.source->ok();
  if (st.full_report) {
    st.last = rescan(st);
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
    auto fresh = rescan(st);
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

impl_actor::behavior_type watcher_behavior(self_ptr self, watcher_options opt) {
  self->state.opt = std::move(opt);
  self->state.source = std::make_unique<inotify_source>(self->state.opt.repo, self->state.opt.evidence_rel);
  if (!self->state.source->ok())
    logging::warn("watcher", "inotify unavailable; polling every 100 ms instead");
  return {
      [=](wire_atom, const differ_actor& differ) {
        bool first = !self->state.differ;
        if (self->state.differ != differ) self->state.full_report = true;
        self->state.differ = differ;
        if (first) self->send(self, tick_atom::value);
      },
      [=](tick_atom) {
        // Nothing a repo holds may restart the watcher: an unexpected failure is a warning, the next tick
        // rescans.
        try {
          step(self);
        } catch (const std::exception& e) {
          logging::warn("watcher", std::string("scan failed: ") + e.what());
          self->state.pending.clear();
        }
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

watcher_actor spawn_watcher(caf::local_actor* parent, watcher_options options) {
  return parent->spawn<caf::detached + caf::monitored>(watcher_behavior, std::move(options));
}

}  // namespace spec_notify::watcher
