// The optional github_secret_env key: a GitHub-style secret is any string, read whole from its variable.
#define BOOST_TEST_MODULE github_secret_env
#include "config/settings.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;

namespace {

const std::string kGithub = "It's a Secret to Everybody";

load_result load_with(const std::string& extra, std::map<std::string, std::string> vars) {
  vars.emplace("TEST_SECRET", kSecret);
  return load(kMinimal + extra, fake_env(std::move(vars)));
}

void expect_no_secret_in_problems(const load_result& r) {
  for (const auto& p : r.problems) BOOST_TEST(p.message.find("Secret to Everybody") == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_variable_is_read_whole_spaces_and_all) {
  const auto r =
      load_with("signature = \"both\"\ngithub_secret_env = \"GH_SECRET\"\n", {{"GH_SECRET", kGithub + " "}});
  BOOST_TEST_INFO(dump(r));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.problems.empty());
  const auto& sub = r.value.subscriptions.at(0);
  BOOST_TEST(sub.github_secret_env == "GH_SECRET");
  BOOST_TEST(sub.github_secret == kGithub + " ");  // not split, not trimmed
  BOOST_TEST(sub.secrets == std::vector<std::string>{kSecret}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(without_the_key_there_is_no_github_secret) {
  const auto r = load_with("signature = \"both\"\n", {});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value.subscriptions.at(0).github_secret.empty());
}

BOOST_AUTO_TEST_CASE(an_unset_or_empty_variable_is_an_error_naming_it) {
  const std::string toml = "signature = \"github\"\ngithub_secret_env = \"GH_SECRET\"\n";
  auto unset = load_with(toml, {});
  BOOST_TEST(!unset.ok());
  expect_problem(unset, 7, "environment variable GH_SECRET (github_secret_env) is not set");
  auto empty = load_with(toml, {{"GH_SECRET", ""}});
  BOOST_TEST(!empty.ok());
  expect_problem(empty, 7, "environment variable GH_SECRET (github_secret_env) is empty");
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_a_variable_name_is_an_error_without_echoing_it) {
  auto r = load_with("signature = \"github\"\ngithub_secret_env = \"It's a Secret to Everybody\"\n", {});
  BOOST_TEST(!r.ok());
  expect_problem(r, 7, "github_secret_env must be an environment variable name");
  expect_no_secret_in_problems(r);
}

BOOST_AUTO_TEST_CASE(with_signature_standard_the_key_is_a_warning) {
  auto r = load_with("github_secret_env = \"GH_SECRET\"\n", {{"GH_SECRET", kGithub}});
  BOOST_TEST(r.ok());
  expect_problem(r, 6, "github_secret_env is unused with signature = \"standard\"", true);
  expect_no_secret_in_problems(r);
}
