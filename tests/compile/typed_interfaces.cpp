// Compile-time check of the typed actor interfaces (docs/architecture.md): a stage accepts only the messages
// its <stage>_actor.hpp declares. Built twice by CTest: as is (must compile, so the check cannot rot into a
// file that fails for another reason) and with SPEC_NOTIFY_WRONG_MESSAGE (must fail: CAF rejects the send).
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_actor.hpp"

namespace spec_notify {

void send_what_each_stage_accepts(caf::scoped_actor& self, const pipeline_handles& p) {
  self->send(p.router, event_batch{});
  self->send(p.differ, files_changed{});
  for (const auto& [name, d] : p.deliverers) self->send(d, delivery_batch{});
#ifdef SPEC_NOTIFY_WRONG_MESSAGE
  // A router takes events, not file changes: this must not compile.
  self->send(p.router, files_changed{});
#endif
}

}  // namespace spec_notify
