#pragma once
// The short key of a SPEC id, used in payloads (`spec.key`), ordering keys and subscription globs:
// the dash-separated tokens up to and including the first all-digit token, or the whole id when there is
// none.
//   SPEC-KIT-075-add-webhook -> SPEC-KIT-075, SPEC-OPS-004-integrated-coder-hooks -> SPEC-OPS-004,
//   SPEC-KIT-045-mini -> SPEC-KIT-045, SPEC-KIT-DEMO -> SPEC-KIT-DEMO, "" -> "".
// Pure function: thread-safe. (Resolving a short key to a folder of the repo is the differ's:
// actors/differ/spec_key.hpp.)
#include <string>
#include <string_view>

namespace spec_notify::util {

std::string spec_key(std::string_view spec_id);

}  // namespace spec_notify::util
