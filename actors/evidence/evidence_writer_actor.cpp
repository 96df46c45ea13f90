#include "actors/evidence/evidence_writer_actor.hpp"

#include <caf/all.hpp>
#include <memory>

#include "actors/evidence/evidence_log.hpp"
#include "actors/log.hpp"
#include "messages/outcome.hpp"
#include "messages/type_ids.hpp"
#include "messages/wiring.hpp"

namespace spec_notify::evidence {
namespace {

struct writer_state {
  writer_state() {}
  std::unique_ptr<evidence_log> log;
  std::string last_error;  // logged once per distinct error, not once per line
};

evidence_record to_record(const delivery_outcome& o) {
  auto kind = static_cast<outcome_kind>(o.kind);
  evidence_record r;
  r.delivery_id = o.delivery_id;
  r.subscription = o.subscription;
  r.event_type = o.event_type;
  r.spec_id = o.spec_id;
  r.task_id = o.task_id;
  r.kind = kind == outcome_kind::dry_run ? "dry_run" : (o.replay ? "replay" : "attempt");
  r.error = o.attempt.error;
  r.attempt = o.attempt.attempt;
  r.status_code = o.attempt.status_code;
  r.latency_ms = o.attempt.latency_ms;
  r.at_ms = o.attempt.at_ms;
  r.replay = o.replay;
  r.outcome = to_string(kind);
  return r;
}

caf::behavior writer_behavior(caf::stateful_actor<writer_state>* self, std::filesystem::path dir,
                              int64_t max_bytes) {
  self->state.log = std::make_unique<evidence_log>(std::move(dir), max_bytes);
  return {
      [=](wire_atom, const wiring&) {},
      [=](const delivery_outcome& o) {
        auto err = self->state.log->append(to_record(o));
        if (!err.empty() && err != self->state.last_error) logging::error("evidence", err);
        self->state.last_error = err;
      },
  };
}

}  // namespace

caf::actor spawn_evidence_writer(caf::local_actor* parent, std::filesystem::path evidence_dir,
                                 int64_t max_bytes_per_spec) {
  return parent->spawn<caf::detached + caf::monitored>(writer_behavior, std::move(evidence_dir),
                                                       max_bytes_per_spec);
}

}  // namespace spec_notify::evidence
