#include "messages/type_ids.hpp"

#include "messages/admin.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/batches.hpp"
#include "messages/file_change.hpp"

namespace spec_notify {

// The typed handles the supervisor hands around (pipeline_handles, deliverer_map) never leave the process and
// are not registered: only what crosses a process boundary must be.
void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<files_changed>("files_changed");
  cfg.add_message_type<event>("event");
  cfg.add_message_type<event_batch>("event_batch");
  cfg.add_message_type<attempt_record>("attempt_record");
  cfg.add_message_type<delivery>("delivery");
  cfg.add_message_type<delivery_ref>("delivery_ref");
  cfg.add_message_type<delivery_batch>("delivery_batch");
  cfg.add_message_type<delivery_outcome>("delivery_outcome");
  cfg.add_message_type<attempt_result>("attempt_result");
  cfg.add_message_type<subscription_status>("subscription_status");
  cfg.add_message_type<list_row>("list_row");
  cfg.add_message_type<replay_result>("replay_result");
  cfg.add_message_type<status_row>("status_row");
  cfg.add_message_type<admin_request>("admin_request");
  cfg.add_message_type<admin_reply>("admin_reply");
}

}  // namespace spec_notify
