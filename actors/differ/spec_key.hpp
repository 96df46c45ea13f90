#pragma once
// The short key of a SPEC id, used in payloads (`spec.key`) and for subscription globs:
// the dash-separated tokens up to and including the first all-digit token, or the whole id when there is
// none.
//   SPEC-KIT-075-add-webhook -> SPEC-KIT-075, SPEC-OPS-004-integrated-coder-hooks -> SPEC-OPS-004,
//   SPEC-KIT-045-mini -> SPEC-KIT-045, SPEC-KIT-DEMO -> SPEC-KIT-DEMO, "" -> "".
// Pure function: thread-safe.
#include <filesystem>
#include <string>
#include <string_view>

namespace spec_notify::differ {

std::string spec_key(std::string_view spec_id);

// The full SPEC slug for an id that may be the short key, as telemetry carries it ("specId":"SPEC-KIT-075"):
// the one folder docs/<slug>/ of `repo` whose key is the same (SPEC-KIT-075-add-webhook), so that task and
// stage events of one SPEC share spec.id (subscription globs, evidence folder). `spec_id` itself when it is
// such a folder, when no folder or several match, or when docs/ cannot be read. Reads the directory;
// symlinked folders whose real path leaves the repo are ignored.
std::string resolve_spec_slug(const std::filesystem::path& repo, const std::string& spec_id);

}  // namespace spec_notify::differ
