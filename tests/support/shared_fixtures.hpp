#pragma once
// Test cases that read the shared Spec Kit fixtures (SPEC_NOTIFY_SHARED_DIR/fixtures, i.e. ../shared next to
// the checkout, which only some machines have) carry the decorator `needs_shared_fixtures()`:
//   BOOST_AUTO_TEST_CASE(real_x, needs_shared_fixtures()) { ... }
// It labels the case "shared_fixtures" and makes it a precondition that the folder exists, so a direct run
// lists the case as skipped, with the reason, instead of passing it silently.
// tests/CMakeLists.txt runs those cases as their own CTest test, <exe>_shared_fixtures
// (--run_test=@shared_fixtures), with SKIP_RETURN_CODE 77: when every selected case needs the fixtures and
// they are absent, the global fixture below prints "SKIPPED: <reason>" and exits 77 before running any, so
// CTest reports the test as skipped (not passed). The other cases of the file run as <exe>
// (--run_test=!@shared_fixtures) whether or not the folder exists.
#include <boost/test/tree/traverse.hpp>
#include <boost/test/tree/visitor.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace spec_notify::testing {

inline constexpr int kSkipExitCode = 77;  // tests/CMakeLists.txt: SKIP_RETURN_CODE

inline std::filesystem::path shared_fixtures_dir() {
  return std::filesystem::path(SPEC_NOTIFY_SHARED_DIR) / "fixtures";
}

// The bytes of a fixture file; a file that cannot be opened fails the test case.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string shared_fixtures_missing_reason() {
  std::error_code ec;
  if (std::filesystem::is_directory(shared_fixtures_dir(), ec)) return "";
  return "shared fixtures not found at " + shared_fixtures_dir().lexically_normal().string() +
         " (the ../shared folder next to the checkout; only some machines have it)";
}

inline boost::test_tools::assertion_result shared_fixtures_present(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(shared_fixtures_missing_reason().empty());
  if (!r) r.message() << shared_fixtures_missing_reason();
  return r;
}

inline boost::unit_test::decorator::collector_t& needs_shared_fixtures() {
  return *boost::unit_test::label("shared_fixtures") *
         boost::unit_test::precondition(&shared_fixtures_present);
}

// Exits kSkipExitCode when the fixtures are absent and every test case selected for this run needs them.
struct skip_when_only_fixture_cases_run {
  struct all_labelled : boost::unit_test::test_tree_visitor {
    bool all = true, any = false;
    void visit(const boost::unit_test::test_case& tc) override {
      if (!tc.is_enabled()) return;
      any = true;
      if (!tc.has_label("shared_fixtures")) all = false;
    }
  };
  void setup() {
    const auto reason = shared_fixtures_missing_reason();
    if (reason.empty()) return;
    all_labelled v;
    boost::unit_test::traverse_test_tree(boost::unit_test::framework::master_test_suite(), v, true);
    if (!v.any || !v.all) return;
    std::cout << "SKIPPED: " << reason << std::endl;
    std::exit(kSkipExitCode);
  }
  void teardown() {}
};

}  // namespace spec_notify::testing

using spec_notify_skip_when_only_fixture_cases_run = spec_notify::testing::skip_when_only_fixture_cases_run;
BOOST_TEST_GLOBAL_FIXTURE(spec_notify_skip_when_only_fixture_cases_run);
