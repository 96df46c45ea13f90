#include "messages/type_ids.hpp"

#include "messages/admin.hpp"
#include "messages/batches.hpp"
#include "messages/file_change.hpp"
#include "messages/wiring.hpp"

namespace spec_notify {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<files_changed>("files_changed");
  cfg.add_message_type<event>("event");
  cfg.add_message_type<event_batch>("event_batch");
  cfg.add_message_type<attempt_record>("attempt_record");
  cfg.add_message_type<delivery>("delivery");
  cfg.add_message_type<delivery_batch>("delivery_batch");
  cfg.add_message_type<delivery_outcome>("delivery_outcome");
  cfg.add_message_type<attempt_result>("attempt_result");
  cfg.add_message_type<wiring>("wiring");
  cfg.add_message_type<subscription_status>("subscription_status");
}

}  // namespace spec_notify
