#pragma once
// Pure subscription filtering used by the router when it fans one event out to subscriptions.
// No state, no I/O, thread-safe. The router copies each subscription's `events`, `statuses`, `specs` and
// `tasks` settings into a `filter` and asks `matches` once per (event, subscription).
#include <string>
#include <string_view>
#include <vector>

#include "messages/event.hpp"

namespace spec_notify::router {

// A subscription's filters, copied from its settings. An empty list means "no restriction".
struct filter {
  std::vector<std::string> events;    // exact event types (event_type::*)
  std::vector<std::string> statuses;  // canonical target statuses of task events ("Done", "In Review", ...)
  std::vector<std::string> specs;     // globs on the full SPEC id or its short key
  std::vector<std::string> tasks;     // globs, or plain prefixes, on task ids
};

// Shell-style glob over bytes: `*` matches any run (also empty), `?` exactly one byte; everything else
// literal and case-sensitive. No character classes, no escapes. Worst case O(pattern x text), never
// exponential.
bool glob_match(std::string_view pattern, std::string_view text);

// True when `pattern` contains `*` or `?`.
bool has_glob_chars(std::string_view pattern);

// Whether a subscription with filter `f` receives event `e`:
// - events: e.type must be listed (empty = every type but spec-auto.consensus.conflict, which is only ever
//   received when listed);
// - task events (spec-kit.task.transitioned): `to` must be listed in statuses (ASCII case-insensitive,
//   empty = all) and the task id must match one of `tasks` (empty = all): a pattern with glob characters is a
//   glob over the whole id, a plain pattern is a prefix ("T6" matches T6, T60, T6-x);
// - stage / pipeline / consensus-conflict events ignore statuses and tasks;
// - specs: a pattern matches when it globs the full SPEC id or its short key (differ::spec_key), so
//   "SPEC-KIT-075" and "SPEC-KIT-075*" both match "SPEC-KIT-075-add-x"; an event without a SPEC only
//   matches an empty list;
// - spec-notify.test events are addressed to one subscription by name, so they always match.
bool matches(const filter& f, const spec_notify::event& e);

// Why a subscription with filter `f` does not receive `e`: "" when matches(f, e), else one phrase naming the
// first filter (in the order matches() checks them) that refuses it, with its patterns and the value they
// were compared with, e.g. "specs filter SPEC-KIT-075* does not match SPEC-KIT-900" (a SPEC is shown by its
// short key), "statuses filter Done does not match In Progress", "tasks filter T6* does not match T1". Used
// for the router's "taken by no subscription" log line and the --test / check-config explanations. The values
// come from repo content: callers that print to a terminal or log escape them (logging does).
std::string mismatch_reason(const filter& f, const spec_notify::event& e);

}  // namespace spec_notify::router
