#pragma once
// SPEC ids in the repo: the short key itself is pure and shared (actors/util/spec_key.hpp, re-exported here
// as differ::spec_key); resolving a short key to the SPEC's folder reads the repo, so it is the differ's.
#include <filesystem>
#include <string>

#include "actors/util/spec_key.hpp"

namespace spec_notify::differ {

using util::spec_key;

// The full SPEC slug for an id that may be the short key, as telemetry carries it ("specId":"SPEC-KIT-075"):
// the one folder docs/<slug>/ of `repo` whose key is the same (SPEC-KIT-075-add-webhook), so that task and
// stage events of one SPEC share spec.id (subscription globs, evidence folder). `spec_id` itself when it is
// such a folder, when no folder or several match, or when docs/ cannot be read. Reads the directory;
// symlinked folders whose real path leaves the repo are ignored.
std::string resolve_spec_slug(const std::filesystem::path& repo, const std::string& spec_id);

}  // namespace spec_notify::differ
