#pragma once
// supervisor -> every stage: the current handles of its downstream stages. Sent after spawn and again
// whenever the supervisor restarts a crashed child, so upstream stages always talk to the live instance.
#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <map>
#include <string>

namespace spec_notify {

struct wiring {
  caf::actor differ, router, dead_letter, evidence;
  std::map<std::string, caf::actor> deliverers;  // by subscription name
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wiring& x) {
  return f(caf::meta::type_name("wiring"), x.differ, x.router, x.dead_letter, x.evidence, x.deliverers);
}

}  // namespace spec_notify
