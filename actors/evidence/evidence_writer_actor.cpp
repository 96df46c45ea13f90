#include "actors/evidence/evidence_writer_actor.hpp"

#include <caf/all.hpp>
#include <memory>

#include "actors/evidence/evidence_log.hpp"
#include "actors/evidence/evidence_queue.hpp"
#include "actors/log.hpp"
#include "messages/outcome.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::evidence {
namespace {

// Its own timer (retrying kept records) on top of what others may send.
using writer_actor = evidence_actor::extend<caf::reacts_to<tick_atom>>;

struct writer_state {
  writer_state() {}
  ~writer_state() {
    if (queue)
      if (auto msg = queue->shutdown_report(); !msg.empty()) logging::warn("evidence", msg);
  }
  std::unique_ptr<evidence_log> log;
  std::unique_ptr<evidence_queue> queue;  // refers to *log
  bool retry_scheduled = false;
};

void log_report(const evidence_queue::report& r) {
  for (const auto& w : r.warnings) logging::warn("evidence", w);
}

using writer_ptr = writer_actor::stateful_pointer<writer_state>;

void schedule_retry(writer_ptr self, std::chrono::milliseconds interval) {
  if (self->state.retry_scheduled || self->state.queue->kept() == 0) return;
  self->state.retry_scheduled = true;
  self->delayed_send(self, interval, tick_atom::value);
}

writer_actor::behavior_type writer_behavior(writer_ptr self, std::filesystem::path dir, int64_t max_bytes,
                                            std::filesystem::path trusted_root,
                                            std::chrono::milliseconds retry_interval) {
  self->state.log = std::make_unique<evidence_log>(std::move(dir), max_bytes, std::move(trusted_root));
  self->state.queue = std::make_unique<evidence_queue>(*self->state.log);
  return {
      [=](const delivery_outcome& o) {
        log_report(self->state.queue->submit(to_record(o)));
        schedule_retry(self, retry_interval);
      },
      [=](tick_atom) {
        self->state.retry_scheduled = false;
        log_report(self->state.queue->retry());
        schedule_retry(self, retry_interval);
      },
  };
}

}  // namespace

evidence_actor spawn_evidence_writer(caf::local_actor* parent, std::filesystem::path evidence_dir,
                                     int64_t max_bytes_per_spec, std::filesystem::path trusted_root,
                                     std::chrono::milliseconds retry_interval) {
  return parent->spawn<caf::detached + caf::monitored>(
      writer_behavior, std::move(evidence_dir), max_bytes_per_spec, std::move(trusted_root), retry_interval);
}

}  // namespace spec_notify::evidence
