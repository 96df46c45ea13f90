#pragma once
// Where the differ's file-reading tests find their inputs: the checked-in fixtures next to them (kOwn) and
// the real Spec Kit files of ../shared (kShared, cases marked needs_shared_fixtures()), read whole with
// slurp.
#include <filesystem>

#include "tests/support/shared_fixtures.hpp"

namespace spec_notify::differ::testing {

inline const std::filesystem::path kOwn =
    std::filesystem::path(SPEC_NOTIFY_TEST_DIR) / "actors/differ/fixtures";
inline const std::filesystem::path kShared = spec_notify::testing::shared_fixtures_dir();
using spec_notify::testing::slurp;

}  // namespace spec_notify::differ::testing
