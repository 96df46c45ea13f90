#define BOOST_TEST_MODULE settings_validation
#include <boost/test/unit_test.hpp>

#include "config/settings.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;

// Line numbers below count from 1 in each raw string; kMinimal is 5 lines long.

BOOST_AUTO_TEST_CASE(a_toml_syntax_error_is_reported_alone_with_its_position) {
  load_result r = load("[notify]\nrepo = \"x\"\nadmin = \n[[notify.subscriptions]]\nbogus = 1\n");
  BOOST_TEST(!r.ok());
  BOOST_REQUIRE(r.problems.size() == 1u);
  BOOST_TEST(r.problems[0].line == 3);
  BOOST_TEST(r.problems[0].col > 0);
  BOOST_TEST(r.problems[0].message.find("TOML syntax error") == 0u);
}

BOOST_AUTO_TEST_CASE(duplicate_toml_keys_are_a_syntax_error) {
  load_result r = load("[notify]\nrepo = \"a\"\nrepo = \"b\"\n");
  BOOST_REQUIRE(r.problems.size() == 1u);
  BOOST_TEST(r.problems[0].line == 3);
}

BOOST_AUTO_TEST_CASE(a_missing_notify_table_is_an_error) {
  load_result r = load("[other]\nx = 1\n");
  BOOST_TEST(!r.ok());
  BOOST_TEST(find_problem(r, "missing [notify] table"));
  r = load("notify = 5\n");
  expect_problem(r, 1, "notify must be a table");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_errors_with_a_suggestion) {
  load_result r = load(R"([notify]
repo = "."
stat_dir = "x"
[notify.extra]
a = 1
)" + subscription_toml("chatops") +  // lines 6-9
                       R"(evnets = ["spec-kit.task.transitioned"]
max_attempts = 3
[notify.subscriptions.retry]
max_attempt = 3
completely_unrelated = 1
)");
  expect_problem(r, 3, "unknown key 'stat_dir' in [notify]; did you mean 'state_dir'?");
  expect_problem(r, 4, "unknown key 'extra' in [notify]");
  expect_problem(r, 10, "unknown key 'evnets' in [[notify.subscriptions]]; did you mean 'events'?");
  expect_problem(r, 11, "'max_attempts' belongs in [notify.subscriptions.retry]");
  expect_problem(r, 13,
                 "unknown key 'max_attempt' in [notify.subscriptions.retry]; did you mean 'max_attempts'?");
  expect_problem(r, 14, "unknown key 'completely_unrelated'");
  BOOST_TEST(find_problem(r, "completely_unrelated")->message.find("did you mean") == std::string::npos);
  BOOST_TEST(error_count(r) == 6u, dump(r));
}

BOOST_AUTO_TEST_CASE(wrong_value_types_are_errors_at_the_value) {
  load_result r = load(R"([notify]
repo = 5
admin_allow_non_loopback = "yes"
evidence_max_bytes_per_spec = 1.5
poll_interval = 1000
[[notify.subscriptions]]
name = "chatops"
url = "http://127.0.0.1/"
secret_env = "TEST_SECRET"
enabled = 1
events = "spec-kit.task.transitioned"
statuses = ["Done", 7]
max_in_flight = "4"
retry = { multiplier = "2" }
)");
  expect_errors(r, R"(
2: notify.repo must be a string, not an integer
3: notify.admin_allow_non_loopback must be a boolean
4: notify.evidence_max_bytes_per_spec must be an integer, not a float
5: notify.poll_interval must be a duration string
10: subscription 'chatops': enabled must be a boolean
11: events must be an array of strings, not a string
12: statuses entries must be strings, not an integer
13: max_in_flight must be an integer, not a string
14: retry.multiplier must be a number, not a string
)");
}

BOOST_AUTO_TEST_CASE(bad_durations_are_errors_naming_key_and_reason) {
  expect_duration_problems(duration_set::bad_text);
}

BOOST_AUTO_TEST_CASE(subscription_names_must_be_lower_case_and_unique) {
  // Lines 6-9, 10-13 and 14-16 (no name).
  load_result r =
      load(kMinimal + subscription_toml("Chat Ops") + subscription_toml("chatops") + subscription_toml(""));
  expect_errors(r, R"(
7: subscription #2: name 'Chat Ops' is invalid
11: duplicate subscription name 'chatops' (first defined on line 3)
14: subscription #4: missing required key 'name'
)");
}

BOOST_AUTO_TEST_CASE(url_and_secret_env_are_required) {
  load_result r = load("[notify]\n[[notify.subscriptions]]\nname = \"a\"\n");
  expect_errors(r, R"(
2: subscription 'a': missing required key 'url'
2: subscription 'a': missing required key 'secret_env'
)");
}

BOOST_AUTO_TEST_CASE(an_unset_or_empty_secret_variable_is_an_error_naming_it) {
  load_result r = load(kMinimal, fake_env({}));
  expect_problem(r, 5, "environment variable TEST_SECRET (secret_env) is not set");
  r = load(kMinimal, fake_env({{"TEST_SECRET", "  \n"}}));
  expect_problem(r, 5, "environment variable TEST_SECRET (secret_env) is empty");
  BOOST_TEST(r.value.subscriptions.at(0).secrets.empty());
}

BOOST_AUTO_TEST_CASE(each_bad_secret_is_reported_by_position_without_its_value) {
  load_result r =
      load(kMinimal, fake_env({{"TEST_SECRET", kSecret + " " + kShortSecret + " plainpassword whsec_%%%%"}}));
  expect_errors(r, R"(
5: secret 2 of 4 in environment variable TEST_SECRET is not a valid whsec_ secret: decodes to 23
5: secret 3 of 4 in environment variable TEST_SECRET is not a valid whsec_ secret: does not
5: secret 4 of 4 in environment variable TEST_SECRET is not a valid whsec_ secret: the part
)");
  BOOST_TEST(r.value.subscriptions.at(0).secrets.empty());
}

BOOST_AUTO_TEST_CASE(secrets_never_appear_in_any_problem_message) {
  // Valid and invalid secrets in the variable, and a secret pasted into secret_env itself by mistake.
  const std::string pasted = "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u";
  load_result r = load(kMinimal + R"([[notify.subscriptions]]
name = "pasted"
url = "http://127.0.0.1/"
secret_env = ")" + pasted + R"("
[[notify.subscriptions]]
name = "raw"
url = "http://127.0.0.1/"
secret_env = "c2VjcmV0LXZhbHVl=="
)",
                       fake_env({{"TEST_SECRET", kSecret + " " + kShortSecret + " hunter2hunter2"}}));
  BOOST_TEST(!r.ok());
  expect_problem(r, 9, "subscription 'pasted': secret_env holds what looks like a secret");
  expect_problem(r, 13, "subscription 'raw': secret_env must be an environment variable name");
  for (const auto& p : r.problems) {
    std::string text = p.to_string();
    for (const std::string& secret :
         {kSecret, kShortSecret, pasted, std::string("hunter2"), std::string("c2VjcmV0LXZhbHVl"),
          std::string("AAEC"), std::string("MDEy")}) {
      BOOST_TEST(text.find(secret) == std::string::npos, "'" << text << "' leaks '" << secret << "'");
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_event_types_and_non_canonical_statuses_are_errors) {
  load_result r = load(kMinimal + R"(events = ["spec-kit.task.transitioned", "spec-kit.task.created"]
statuses = ["Done", "done", "Finished"]
)");
  expect_problem(r, 6, "unknown event type 'spec-kit.task.created'");
  expect_problem(r, 7, "'done' is not a canonical status; did you mean 'Done'?");
  expect_problem(r, 7, "'Finished' is not a canonical status");
  BOOST_TEST(r.problems.size() == 3u, dump(r));
}

BOOST_AUTO_TEST_CASE(empty_events_are_an_error_and_empty_statuses_only_matter_for_task_events) {
  load_result r = load(kMinimal + "events = []\n");
  expect_problem(r, 6, "events must not be empty");
  r = load(kMinimal + "statuses = []\n");
  expect_problem(r, 6, "statuses must not be empty");
  r = load(kMinimal + "events = [\"spec-auto.pipeline.completed\"]\nstatuses = []\n");
  BOOST_TEST(r.ok(), dump(r));
}

BOOST_AUTO_TEST_CASE(out_of_range_numbers_and_bad_choices_are_errors) {
  load_result r = load(kMinimal + R"(signature = "sha1"
max_in_flight = 257
timeout = "0ms"
specs = [""]
[notify.subscriptions.retry]
max_attempts = 0
multiplier = 0.5
initial_backoff = "20m"
[[notify.subscriptions]]
name = "second"
url = "http://127.0.0.1/"
secret_env = "TEST_SECRET"
max_in_flight = 0
retry = { max_attempts = 101, max_backoff = "500ms" }
)");
  expect_errors(r, R"(
6: signature must be one of standard, github, both, got 'sha1'
7: subscription 'chatops': max_in_flight must be between 1 and 256, got 257
8: subscription 'chatops': timeout must be greater than 0
9: specs: empty pattern
11: subscription 'chatops': retry.max_attempts must be between 1 and 100, got 0
12: retry.multiplier must be at least 1.0
13: subscription 'chatops': retry.initial_backoff (20m) must not exceed retry.max_backoff (10m)
18: subscription 'second': max_in_flight must be between 1 and 256, got 0
19: subscription 'second': retry.max_attempts must be between 1 and 100, got 101
19: subscription 'second': retry.initial_backoff (1s) must not exceed retry.max_backoff (500ms)
)");
}

BOOST_AUTO_TEST_CASE(global_limits_and_addresses_are_validated) {
  load_result r = load(R"([notify]
evidence_max_bytes_per_spec = 0
admin = "127.0.0.1"
metrics = "localhost:99999"
repo = ""
retry = 1
)");
  expect_errors(r, R"(
2: notify.evidence_max_bytes_per_spec must be greater than 0, got 0
3: notify.admin: invalid address '127.0.0.1': missing port
4: notify.metrics: invalid address 'localhost:99999'
5: notify.repo must not be empty
6: unknown key 'retry' in [notify]
)");
}

BOOST_AUTO_TEST_CASE(a_non_loopback_admin_address_needs_an_explicit_opt_in) {
  load_result r = load("[notify]\nadmin = \"0.0.0.0:7707\"\n");
  expect_problem(r, 2, "is not a loopback address; set notify.admin_allow_non_loopback = true");
  r = load("[notify]\nadmin = \"0.0.0.0:7707\"\nadmin_allow_non_loopback = true\n");
  BOOST_TEST(r.ok(), dump(r));
  r = load("[notify]\nadmin = \"[::1]:7707\"\n");
  BOOST_TEST(r.ok(), dump(r));
}

BOOST_AUTO_TEST_CASE(subscriptions_must_be_an_array_of_tables) {
  load_result r = load("[notify]\n[notify.subscriptions]\nname = \"a\"\n");
  expect_problem(r, 2, "notify.subscriptions must be an array of tables");
  r = load(kMinimal + "retry = 3\n");
  expect_problem(r, 6, "retry must be a table");
}

BOOST_AUTO_TEST_CASE(a_missing_ca_file_is_an_error) {
  load_result r = load(kMinimal + "ca_file = \"no-such-bundle.pem\"\n");
  expect_problem(r, 6, "no-such-bundle.pem' is not a readable file");
}

BOOST_AUTO_TEST_CASE(many_problems_across_tables_are_all_reported_at_once_in_file_order) {
  load_result r = load(R"([notify]
repoo = "."
dead_letter_retention = "7x"
[[notify.subscriptions]]
name = "a"
url = "not a url"
secret_env = "UNSET_VAR"
max_in_flight = 0
[notify.subscriptions.retry]
multiplier = 0.1
)" + subscription_toml("a") +  // lines 11-14
                       R"(events = ["nope"]
)");
  BOOST_TEST(!r.ok());
  std::vector<int> lines;
  for (const auto& p : r.problems) lines.push_back(p.line);
  std::vector<int> expected{2, 3, 6, 7, 8, 10, 12, 15};
  BOOST_TEST(lines == expected, boost::test_tools::per_element());
  BOOST_TEST(find_problem(r, "invalid url")->warning);
  BOOST_TEST(error_count(r) == 7u, dump(r));
}
