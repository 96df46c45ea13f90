#define BOOST_TEST_MODULE settings
#include "config/settings.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "settings_fixture.hpp"

using namespace std::chrono_literals;
using namespace spec_notify::config;
using namespace spec_notify::config::testing;
namespace fs = std::filesystem;

namespace {

const std::string kExample = std::string(SPEC_NOTIFY_TEST_DIR) + "/../config/spec-notify.example.toml";

// A scratch directory removed at scope exit.
struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("spec-notify-config-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(example_file_is_accepted_when_its_secret_variable_is_set) {
  load_result r = load_settings_file(kExample, fake_env({{"SPEC_NOTIFY_CHATOPS_SECRET", kSecret}}));
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.problems.empty(), dump(r));
  BOOST_REQUIRE(r.value.subscriptions.size() == 1u);
  const auto& sub = r.value.subscriptions[0];
  BOOST_TEST(sub.name == "chatops");
  BOOST_TEST(sub.target.host == "127.0.0.1");
  BOOST_TEST(sub.target.port == 8080);
  BOOST_TEST(sub.target.path_and_query == "/hooks/spec");
  BOOST_TEST(sub.secrets == std::vector<std::string>{kSecret}, boost::test_tools::per_element());
  BOOST_TEST(sub.specs == std::vector<std::string>{"SPEC-KIT-075*"}, boost::test_tools::per_element());
  BOOST_TEST(sub.tasks == std::vector<std::string>{"T6*"}, boost::test_tools::per_element());
  BOOST_TEST(r.value.metrics == "127.0.0.1:9464");
  BOOST_TEST(sub.retry.max_backoff.count() == std::chrono::milliseconds(10min).count());
}

BOOST_AUTO_TEST_CASE(example_file_is_rejected_naming_the_variable_when_the_secret_is_unset) {
  load_result r = load_settings_file(kExample, fake_env({}));
  BOOST_TEST(!r.ok());
  const config_problem* p = find_problem(r, "SPEC_NOTIFY_CHATOPS_SECRET");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->file == kExample);
  BOOST_TEST(p->line > 0);
}

BOOST_AUTO_TEST_CASE(defaults_are_applied_when_keys_are_omitted) {
  load_result r = load(kMinimal);
  BOOST_TEST(r.ok(), dump(r));
  const settings& s = r.value;
  fs::path base = fs::path(SPEC_NOTIFY_TEST_DIR).lexically_normal();
  BOOST_TEST(s.config_path == "test.toml");
  BOOST_TEST(s.repo == base);
  BOOST_TEST(s.state_dir == base / ".spec-notify");
  BOOST_TEST(s.evidence_dir == base / "docs/SPEC-OPS-004-integrated-coder-hooks/evidence");
  BOOST_TEST(s.admin == "127.0.0.1:7707");
  BOOST_TEST(!s.admin_allow_remote);
  BOOST_TEST(s.metrics.empty());
  BOOST_TEST(s.dead_letter_retention.count() == std::chrono::milliseconds(7 * 24h).count());
  BOOST_TEST(s.evidence_max_bytes_per_spec == 5242880);
  BOOST_TEST(s.poll_interval.count() == 1000);
  BOOST_REQUIRE(s.subscriptions.size() == 1u);
  const subscription_settings& sub = s.subscriptions[0];
  BOOST_TEST(sub.enabled);
  BOOST_TEST(!sub.dry_run);
  BOOST_TEST(sub.events == std::vector<std::string>{"spec-kit.task.transitioned"},
             boost::test_tools::per_element());
  BOOST_TEST(sub.statuses == std::vector<std::string>{"Done"}, boost::test_tools::per_element());
  BOOST_TEST(sub.specs.empty());
  BOOST_TEST(sub.tasks.empty());
  BOOST_TEST((sub.signature == signature_mode::standard));
  BOOST_TEST(sub.max_in_flight == 4);
  BOOST_TEST(sub.timeout.count() == 10000);
  BOOST_TEST(sub.retry.max_attempts == 10);
  BOOST_TEST(sub.retry.initial_backoff.count() == 1000);
  BOOST_TEST(sub.retry.max_backoff.count() == 600000);
  BOOST_TEST(sub.retry.multiplier == 2.0);
  BOOST_TEST(sub.ca_file.empty());
  BOOST_TEST(sub.disabled_reason.empty());
}

BOOST_AUTO_TEST_CASE(every_key_is_read_into_the_settings) {
  temp_dir dir;
  fs::create_directories(dir.path / "checkout");
  write(dir.path / "ca.pem", "-----BEGIN CERTIFICATE-----\n");
  load_result r = load_settings_text(R"([notify]
repo = "checkout"
state_dir = "/var/lib/spec-notify"
evidence_dir = "ev"
admin = "0.0.0.0:7000"
admin_allow_non_loopback = true
metrics = "[::1]:9464"
dead_letter_retention = "2d"
evidence_max_bytes_per_spec = 1000
poll_interval = "250ms"
[[notify.subscriptions]]
name = "ops_2"
url = "https://[::1]:8443/h?x=1"
secret_env = "S"
enabled = false
dry_run = true
events = ["spec-auto.stage.completed", "spec-auto.pipeline.completed"]
statuses = ["In Review", "Done"]
specs = ["SPEC-KIT-0*"]
tasks = ["T1", "T2*"]
signature = "both"
max_in_flight = 256
timeout = "1m"
ca_file = "ca.pem"
retry = { max_attempts = 100, initial_backoff = "10ms", max_backoff = "10ms", multiplier = 1 }
)",
                                     "inline.toml", dir.path.string(),
                                     fake_env({{"S", " " + kSecret + "  " + kOlderSecret + "\n"}}));
  BOOST_TEST(r.ok(), dump(r));
  const settings& s = r.value;
  BOOST_TEST(s.repo == dir.path / "checkout");
  BOOST_TEST(s.state_dir == fs::path("/var/lib/spec-notify"));
  BOOST_TEST(s.evidence_dir == dir.path / "checkout" / "ev");
  BOOST_TEST(s.admin == "0.0.0.0:7000");
  BOOST_TEST(s.admin_allow_remote);
  BOOST_TEST(s.metrics == "[::1]:9464");
  BOOST_TEST(s.dead_letter_retention.count() == std::chrono::milliseconds(48h).count());
  BOOST_TEST(s.evidence_max_bytes_per_spec == 1000);
  BOOST_TEST(s.poll_interval.count() == 250);
  BOOST_REQUIRE(s.subscriptions.size() == 1u);
  const auto& sub = s.subscriptions[0];
  BOOST_TEST(!sub.enabled);
  BOOST_TEST(sub.disabled_reason.empty(), "disabled by the user, not by validation");
  BOOST_TEST(sub.dry_run);
  BOOST_TEST(sub.target.host == "::1");
  BOOST_TEST(sub.target.port == 8443);
  BOOST_TEST(sub.secrets == (std::vector<std::string>{kSecret, kOlderSecret}),
             boost::test_tools::per_element());
  BOOST_TEST(sub.events.size() == 2u);
  BOOST_TEST(sub.statuses == (std::vector<std::string>{"In Review", "Done"}),
             boost::test_tools::per_element());
  BOOST_TEST(sub.tasks.size() == 2u);
  BOOST_TEST((sub.signature == signature_mode::both));
  BOOST_TEST(sub.max_in_flight == 256);
  BOOST_TEST(sub.timeout.count() == 60000);
  BOOST_TEST(sub.ca_file == (dir.path / "ca.pem").string());
  BOOST_TEST(sub.retry.max_attempts == 100);
  BOOST_TEST(sub.retry.initial_backoff.count() == 10);
  BOOST_TEST(sub.retry.multiplier == 1.0);
}

BOOST_AUTO_TEST_CASE(relative_paths_resolve_against_the_config_file_directory) {
  temp_dir dir;
  fs::create_directories(dir.path / "conf" / "repo");
  write(dir.path / "conf" / "config.toml", "[notify]\nrepo = \"repo/\"\nstate_dir = \"../state\"\n");
  load_result r = load_settings_file((dir.path / "conf" / "config.toml").string(), fake_env({}));
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.value.repo == dir.path / "conf" / "repo");
  BOOST_TEST(r.value.state_dir == dir.path / "state");
  BOOST_TEST(r.value.evidence_dir ==
             dir.path / "conf" / "repo" / "docs/SPEC-OPS-004-integrated-coder-hooks/evidence");
}

BOOST_AUTO_TEST_CASE(other_top_level_tables_are_ignored) {
  load_result r = load("[project]\nname = \"x\"\n[tools.lint]\nstrict = true\n" + kMinimal);
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.problems.empty(), dump(r));
}

BOOST_AUTO_TEST_CASE(invalid_url_disables_only_that_subscription_with_a_warning) {
  load_result r = load(kMinimal + R"([[notify.subscriptions]]
name = "broken"
url = "ftp://example.com/x"
secret_env = "TEST_SECRET"
)");
  BOOST_TEST(r.ok(), dump(r));
  expect_problem(r, 8, "invalid url", true);
  BOOST_TEST(r.problems.front().to_string().find("test.toml:8:7: warning: ") == 0u, dump(r));
  BOOST_REQUIRE(r.value.subscriptions.size() == 2u);
  BOOST_TEST(r.value.subscriptions[0].enabled);
  const auto& broken = r.value.subscriptions[1];
  BOOST_TEST(!broken.enabled);
  BOOST_TEST(broken.disabled_reason.find("ftp") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_one_error_naming_the_path) {
  load_result r = load_settings_file("/nonexistent/dir/config.toml", fake_env({}));
  BOOST_TEST(!r.ok());
  BOOST_REQUIRE(r.problems.size() == 1u);
  BOOST_TEST(r.problems[0].message.find("/nonexistent/dir/config.toml") != std::string::npos);
  BOOST_TEST(r.problems[0].to_string().find("/nonexistent/dir/config.toml: error: ") == 0u);
}

BOOST_AUTO_TEST_CASE(a_directory_is_not_accepted_as_a_config_file) {
  load_result r = load_settings_file(SPEC_NOTIFY_TEST_DIR, fake_env({}));
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.problems.size() == 1u);
}

BOOST_AUTO_TEST_CASE(no_subscriptions_is_only_a_warning) {
  load_result r = load("[notify]\n");
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(find_problem(r, "no [[notify.subscriptions]]")->warning);
}

BOOST_AUTO_TEST_CASE(problems_format_as_file_line_col_severity_message) {
  config_problem e{"c.toml", 3, 7, "bad", false};
  config_problem w{"c.toml", 4, 1, "odd", true};
  BOOST_TEST(e.to_string() == "c.toml:3:7: error: bad");
  BOOST_TEST(w.to_string() == "c.toml:4:1: warning: odd");
}

BOOST_AUTO_TEST_CASE(known_keys_lists_every_key_of_the_example_file) {
  std::vector<std::string> keys = known_keys();
  auto has = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  for (const char* k : {"notify.repo",
                        "notify.state_dir",
                        "notify.evidence_dir",
                        "notify.admin",
                        "notify.admin_allow_non_loopback",
                        "notify.metrics",
                        "notify.dead_letter_retention",
                        "notify.evidence_max_bytes_per_spec",
                        "notify.poll_interval",
                        "notify.max_task_rows",
                        "notify.max_events_per_diff",
                        "notify.subscriptions",
                        "notify.subscriptions.name",
                        "notify.subscriptions.url",
                        "notify.subscriptions.url_env",
                        "notify.subscriptions.secret_env",
                        "notify.subscriptions.github_secret_env",
                        "notify.subscriptions.enabled",
                        "notify.subscriptions.dry_run",
                        "notify.subscriptions.events",
                        "notify.subscriptions.statuses",
                        "notify.subscriptions.specs",
                        "notify.subscriptions.tasks",
                        "notify.subscriptions.signature",
                        "notify.subscriptions.max_in_flight",
                        "notify.subscriptions.timeout",
                        "notify.subscriptions.ca_file",
                        "notify.subscriptions.allow_link_local",
                        "notify.subscriptions.retry",
                        "notify.subscriptions.retry.max_attempts",
                        "notify.subscriptions.retry.initial_backoff",
                        "notify.subscriptions.retry.max_backoff",
                        "notify.subscriptions.retry.multiplier",
                        "notify.subscriptions.rate_limit",
                        "notify.subscriptions.rate_limit_burst",
                        "notify.subscriptions.ordering",
                        "notify.subscriptions.breaker",
                        "notify.subscriptions.breaker.failures",
                        "notify.subscriptions.breaker.after",
                        "notify.subscriptions.breaker.probe",
                        "notify.subscriptions.format",
                        "notify.subscriptions.template",
                        "notify.subscriptions.content_type"}) {
    BOOST_TEST(has(k), k);
  }
  BOOST_TEST(keys.size() == 45u);
}
