#include "actors/watcher/watcher_actor.hpp"

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/watcher/file_scan.hpp"
#include "messages/file_change.hpp"
#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"

namespace spec_notify::watcher {
namespace {

struct watcher_state {
  watcher_state() {}  // CAF constructs State(self) for aggregates: keep a user-declared default constructor.
  std::filesystem::path repo;
  std::chrono::milliseconds interval{100};
  caf::actor differ;
  snapshot last;
  bool reported_once = false;
};

void poll(caf::stateful_actor<watcher_state>* self) {
  auto& st = self->state;
  if (!st.differ) return;  // not wired yet: the first poll after wiring reports everything
  auto now = scan_task_files(st.repo);
  std::vector<std::string> paths;
  bool first = !st.reported_once;
  if (first) {
    for (const auto& [p, stamp] : now) paths.push_back(p);
    st.reported_once = true;
  } else {
    paths = changed_paths(st.last, now);
  }
  st.last = std::move(now);
  // The first report is sent even when empty: it is how the differ learns the baseline scan happened.
  if (!paths.empty() || first) self->send(st.differ, files_changed{std::move(paths)});
}

caf::behavior watcher_behavior(caf::stateful_actor<watcher_state>* self, std::filesystem::path repo,
                               std::chrono::milliseconds interval) {
  self->state.repo = std::move(repo);
  self->state.interval = interval;
  return {
      [=](wire_atom, const wiring& w) {
        bool first = !self->state.differ;
        self->state.differ = w.differ;
        self->state.reported_once = false;  // a new differ instance gets a full report
        if (first) self->send(self, tick_atom::value);
      },
      [=](tick_atom) {
        poll(self);
        self->delayed_send(self, self->state.interval, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_watcher(caf::local_actor* parent, std::filesystem::path repo, std::chrono::milliseconds interval) {
  return parent->spawn<caf::detached + caf::monitored>(watcher_behavior, std::move(repo), interval);
}

}  // namespace spec_notify::watcher
