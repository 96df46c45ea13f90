#include "actors/differ/differ_actor.hpp"

#include <malloc.h>

#include <algorithm>
#include <caf/all.hpp>
#include <exception>
#include <memory>
#include <set>

#include "actors/differ/engine.hpp"
#include "actors/log.hpp"
#include "messages/batches.hpp"

namespace spec_notify::differ {
namespace {

// Its own retry timer (a batch the store refused) on top of the public interface.
using impl_actor = differ_actor::extend<caf::reacts_to<tick_atom>>;

struct differ_state {
  differ_state() {}
  std::unique_ptr<engine> core;
  router_actor router;
  int64_t events_detected = 0;  // since this instance started (metrics)
  std::set<std::string> retry;  // paths whose batch could not be stored (disk full...): offered again
  bool release_after = false;   // the change just processed was big (release_memory)
  bool first_scan = true;       // the watcher's first message is its start-up scan of the whole repo
};

// A big change (thousands of rows) frees tens of MB at once, in this detached actor's own malloc arena,
// where the router, the store and the deliverers cannot reuse it: hand it back to the OS so the next big
// change starts from the same footprint (the bounded-RSS figure in docs/benchmarks.md).
void release_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

using self_ptr = impl_actor::stateful_pointer<differ_state>;

void on_files(self_ptr self, const files_changed& msg) {
  auto& st = self->state;
  bool was_baseline = !st.core->baseline_done();
  engine_result result;
  try {
    result = st.core->on_files_changed(msg.paths);
  } catch (const std::exception& e) {
    // The engine isolates each file; this is the last line, so that nothing a repo holds restarts the stage.
    logging::warn("differ", std::string("change not processed: ") + e.what());
    return;
  }
  if (result.store_failed) {
    // The old states stay, so reading the same files again later detects the same transitions. Without this
    // retry they would wait for the next edit of those files or a restart.
    if (st.retry.empty()) self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
    st.retry.insert(msg.paths.begin(), msg.paths.end());
  }
  // Files caught mid-write, over the event cap, or telemetry waiting for its consensus: read again once the
  // writer has had time to finish / the settle time is over (an unchanged task file gives nothing new; a
  // finished one gives its last row; a held telemetry file gives its event).
  if (!result.recheck.empty())
    self->delayed_send(self, result.recheck_after + std::chrono::milliseconds(100),
                       files_changed{result.recheck});
  if (result.events.size() >= 1000) self->state.release_after = true;
  for (const auto& p : result.problems) logging::warn("differ", p);
  for (const auto& p : result.skipped) logging::debug("differ", "skipped " + p);
  // One line either way tells an operator (and bench/scenarios/scale.py) that the start-up scan is done.
  if (was_baseline && st.core->baseline_done())
    logging::info("differ", "baseline recorded from " + std::to_string(msg.paths.size()) + " task file(s)");
  else if (st.first_scan)
    logging::info("differ", "start-up scan compared " + std::to_string(msg.paths.size()) +
                                " task file(s) with the stored baseline: " +
                                std::to_string(result.events.size()) + " event(s) while stopped");
  st.first_scan = false;
  if (result.events.empty()) return;
  st.events_detected += static_cast<int64_t>(result.events.size());
  // One line per event reads well for a few; a save flipping thousands gets a summary (details at debug).
  auto level = result.events.size() > 20 ? logging::level::debug : logging::level::info;
  if (level == logging::level::debug)
    logging::info("differ", std::to_string(result.events.size()) + " events from " +
                                std::to_string(msg.paths.size()) + " changed file(s)");
  for (const auto& e : result.events) {
    if (e.type == event_type::task_transitioned)
      logging::write(level, "differ",
                     e.source + ":" + std::to_string(e.line) + ": " + e.task_id + " " +
                         (e.from.empty() ? "(new)" : e.from) + " -> " + e.to);
    else
      logging::write(level, "differ", e.source + ": " + e.type + " " + e.stage + " " + e.status);
  }
  // The events are already durable (evt/); if the router is down, it re-reads them when it starts.
  if (st.router) self->send(st.router, event_batch{std::move(result.events)});
}

impl_actor::behavior_type differ_behavior(self_ptr self, store::db_ptr db, std::filesystem::path repo,
                                          differ_limits limits) {
  self->state.core = std::make_unique<engine>(std::move(db), std::move(repo), limits);
  return {
      [=](wire_atom, const router_actor& router) { self->state.router = router; },
      [=](const files_changed& msg) {
        on_files(self, msg);
        if (self->state.release_after) release_memory();
        self->state.release_after = false;
      },
      [=](tick_atom) {
        files_changed again{{self->state.retry.begin(), self->state.retry.end()}};
        self->state.retry.clear();
        on_files(self, again);
      },
      [=](status_atom) { return self->state.events_detected; },
  };
}

}  // namespace

differ_limits limits_from(const config::settings& cfg) {
  differ_limits l;
  l.max_task_rows = static_cast<size_t>(std::max<int64_t>(cfg.max_task_rows, 1));
  l.max_events_per_diff = static_cast<size_t>(std::max<int64_t>(cfg.max_events_per_diff, 1));
  return l;
}

differ_actor spawn_differ(caf::local_actor* parent, store::db_ptr db, std::filesystem::path repo,
                          differ_limits limits) {
  return parent->spawn<caf::detached + caf::monitored>(differ_behavior, std::move(db), std::move(repo),
                                                       limits);
}

}  // namespace spec_notify::differ
