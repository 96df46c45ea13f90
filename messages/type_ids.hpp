#pragma once
// Every atom and every message type in one place, registered once per actor_system_config.
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace spec_notify {

using wire_atom = caf::atom_constant<caf::atom("wire")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using scan_atom = caf::atom_constant<caf::atom("scan")>;
using send_atom = caf::atom_constant<caf::atom("send")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using enable_atom = caf::atom_constant<caf::atom("enable")>;  // clear a 410 disable only (replay)
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using prune_atom = caf::atom_constant<caf::atom("prune")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

void register_message_types(caf::actor_system_config& cfg);

}  // namespace spec_notify
