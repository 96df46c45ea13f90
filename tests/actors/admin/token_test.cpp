#define BOOST_TEST_MODULE admin_token
#include "actors/admin/token.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

BOOST_AUTO_TEST_CASE(a_new_token_is_written_with_mode_0600_and_reads_back) {
  testing::temp_dir dir;
  auto path = admin::token_path(dir.path());
  auto written = admin::write_new_token(path);
  BOOST_REQUIRE_MESSAGE(written, written.message());
  const std::string token = *written;
  BOOST_TEST(token.size() == 64u);
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto read = admin::read_token(path);
  BOOST_REQUIRE_MESSAGE(read, read.message());
  BOOST_TEST(*read == token);
  auto second = admin::write_new_token(path);
  BOOST_REQUIRE(second);
  BOOST_TEST(*second != token);  // every daemon start gets a fresh one
}

BOOST_AUTO_TEST_CASE(tokens_match_only_when_identical_and_non_empty) {
  BOOST_TEST(admin::token_matches("abc123", "abc123"));
  BOOST_TEST(!admin::token_matches("abc123", "abc124"));
  BOOST_TEST(!admin::token_matches("abc123", "abc12"));
  BOOST_TEST(!admin::token_matches("abc123", "abc1234"));
  BOOST_TEST(!admin::token_matches("abc123", ""));
  BOOST_TEST(!admin::token_matches("", ""));
}

BOOST_AUTO_TEST_CASE(a_missing_token_file_is_an_error_naming_the_path) {
  testing::temp_dir dir;
  auto token = admin::read_token(dir / "nope.token");
  BOOST_TEST(!token);
  BOOST_TEST(token.message().find("nope.token") != std::string::npos);
}
