#pragma once
// A real LevelDB store in a temp directory (<dir>/state), for tests of the stages that persist. reopen()
// closes and opens it again, as a restart does.
#include <boost/test/unit_test.hpp>
#include <string>

#include "actors/store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace spec_notify::testing {

struct temp_store {
  temp_dir dir;
  store::db_ptr db;
  temp_store() { reopen(); }
  void reopen() {
    db.reset();
    auto opened = store::db::open((dir / "state").string());
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    db = std::move(*opened);
  }
};

}  // namespace spec_notify::testing
