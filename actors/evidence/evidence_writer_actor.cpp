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

// Its own messages on top of what others may send: the retry timer for kept records, and the end of a batch
// of outcomes.
using writer_actor = evidence_actor::extend<caf::reacts_to<tick_atom>, caf::reacts_to<flush_atom>>;

// Outcomes are written in batches: an outcome is buffered and a flush_atom sent to self, which arrives after
// every outcome already in the mailbox, so a burst's records share one folder walk and lock
// (evidence_log::begin_batch). A batch is also cut at this size, bounding what waits in memory.
constexpr size_t max_batch = 512;

struct writer_state {
  writer_state() {}
  ~writer_state() {
    if (!queue) return;
    // Stopping (SIGTERM): what is buffered is written now, not lost.
    if (!batch.empty()) log_report(queue->submit_all(std::move(batch)));
    if (auto msg = queue->shutdown_report(); !msg.empty()) logging::warn("evidence", msg);
  }
  static void log_report(const evidence_queue::report& r) {
    for (const auto& w : r.warnings) logging::warn("evidence", w);
  }
  std::unique_ptr<evidence_log> log;
  std::unique_ptr<evidence_queue> queue;  // refers to *log
  bool retry_scheduled = false;
  std::vector<evidence_record> batch;  // outcomes received since the last flush
  bool flush_sent = false;
};

void log_report(const evidence_queue::report& r) {
  writer_state::log_report(r);
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
        auto& st = self->state;
        st.batch.push_back(to_record(o));
        if (st.batch.size() >= max_batch) {
          log_report(st.queue->submit_all(std::move(st.batch)));
          st.batch.clear();
          schedule_retry(self, retry_interval);
        } else if (!st.flush_sent) {
          st.flush_sent = true;
          self->send(self, flush_atom::value);
        }
      },
      [=](flush_atom) {
        auto& st = self->state;
        st.flush_sent = false;
        if (st.batch.empty()) return;
        log_report(st.queue->submit_all(std::move(st.batch)));
        st.batch.clear();
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
