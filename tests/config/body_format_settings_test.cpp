// The loader's keys for bodies (issue 17 items 1 and 2): format, template (read safely, relative to the
// config file, syntax errors at the template's own file:line:col), content_type, and secret_env being
// optional exactly for unsigned bodies (a chat format or a template without a signature key).
#define BOOST_TEST_MODULE body_format_settings
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/template_file.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;
namespace fs = std::filesystem;

namespace {

// A temp directory that holds the config's files; removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    char pattern[] = "/tmp/spec-notify-fmt-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

std::string chat(const std::string& keys) {
  return "[notify]\n[[notify.subscriptions]]\nname = \"chat\"\nurl = \"http://127.0.0.1/x\"\n" + keys;
}

load_result load_in(const temp_dir& dir, const std::string& text) {
  return load_settings_text(text, "test.toml", dir.path.string(), default_env());
}

}  // namespace

BOOST_AUTO_TEST_CASE(format_defaults_to_standard_and_names_each_flavour) {
  auto r = load(kMinimal);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST((r.value.subscriptions[0].format == body_format::standard));
  BOOST_TEST(r.value.subscriptions[0].signed_body());
  BOOST_TEST(r.value.subscriptions[0].content_type == "application/json");
  for (auto [name, f] : {std::pair{"slack", body_format::slack},
                         {"discord", body_format::discord},
                         {"teams", body_format::teams},
                         {"google-chat", body_format::google_chat}}) {
    auto c = load(chat("format = \"" + std::string(name) + "\"\n"));
    BOOST_TEST_INFO(dump(c));
    BOOST_REQUIRE(c.ok());
    BOOST_TEST((c.value.subscriptions[0].format == f));
    BOOST_TEST(to_string(f) == name);
  }
}

BOOST_AUTO_TEST_CASE(unknown_format_is_an_error_listing_the_valid_ones) {
  // An unknown format is taken for the standard one: signed, so the secret is still required.
  expect_errors(load(chat("format = \"msteams\"\n")),
                "5: format must be one of standard, slack, discord, teams, google-chat, got 'msteams'\n"
                "2: missing required key 'secret_env'");
}

BOOST_AUTO_TEST_CASE(chat_formats_need_no_secret_and_are_unsigned) {
  auto r = load(chat("format = \"slack\"\n"));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(!r.value.subscriptions[0].signed_body());
  BOOST_TEST(r.problems.empty(), dump(r));
}

BOOST_AUTO_TEST_CASE(the_standard_format_still_requires_secret_env) {
  expect_errors(load(chat("")), "2: missing required key 'secret_env'");
}

BOOST_AUTO_TEST_CASE(a_signature_key_signs_a_chat_format_and_then_requires_the_secret) {
  expect_errors(load(chat("format = \"discord\"\nsignature = \"standard\"\n")),
                "2: missing required key 'secret_env'");
  auto r = load(chat("format = \"discord\"\nsignature = \"standard\"\nsecret_env = \"TEST_SECRET\"\n"));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.value.subscriptions[0].signed_body());
  BOOST_TEST(r.value.subscriptions[0].secrets.size() == 1u);
}

BOOST_AUTO_TEST_CASE(secret_env_of_an_unsigned_body_is_validated_and_reported_unused) {
  auto r = load(chat("format = \"teams\"\nsecret_env = \"TEST_SECRET\"\n"));
  BOOST_REQUIRE(r.ok());
  expect_problem(r, 6, "secret_env is unused: a chat format is sent without signature headers", true);
  expect_errors(load(chat("format = \"teams\"\nsecret_env = \"NOT_SET_ANYWHERE\"\n")),
                "6: environment variable NOT_SET_ANYWHERE (secret_env) is not set");
}

BOOST_AUTO_TEST_CASE(content_type_is_taken_and_header_injection_refused) {
  auto r = load(chat("format = \"slack\"\ncontent_type = \"text/plain; charset=utf-8\"\n"));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value.subscriptions[0].content_type == "text/plain; charset=utf-8");
  expect_errors(load(chat("format = \"slack\"\ncontent_type = \"text/plain\\r\\nx-evil: 1\"\n")),
                "6: content_type must be a media type");
  expect_errors(load(chat("format = \"slack\"\ncontent_type = \"json\"\n")),
                "6: content_type must be a media type");
}

BOOST_AUTO_TEST_CASE(template_is_read_relative_to_the_config_directory) {
  temp_dir dir;
  dir.write("t.mustache", "{\"text\": \"{{task.title}}\"}\n");
  auto r = load_in(dir, chat("template = \"t.mustache\"\n"));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const auto& sub = r.value.subscriptions[0];
  BOOST_TEST(sub.template_file == (dir.path / "t.mustache").string());
  BOOST_TEST(sub.template_text == "{\"text\": \"{{task.title}}\"}\n");
  BOOST_TEST(!sub.signed_body());  // a template is unsigned unless signature is set
  BOOST_TEST((sub.format == body_format::standard));
}

BOOST_AUTO_TEST_CASE(template_syntax_error_is_reported_at_the_template_file_line_and_column) {
  temp_dir dir;
  dir.write("bad.mustache", "{\n  \"text\": \"{{task.title}\"\n}\n");
  auto r = load_in(dir, chat("template = \"bad.mustache\"\n"));
  BOOST_TEST(!r.ok());
  BOOST_REQUIRE(r.problems.size() == 1u);
  const auto& p = r.problems[0];
  BOOST_TEST(p.file == (dir.path / "bad.mustache").string());
  BOOST_TEST(p.line == 2);
  BOOST_TEST(p.col == 12);
  BOOST_TEST(p.to_string() == (dir.path / "bad.mustache").string() +
                                  ":2:12: error: subscription 'chat': template syntax error: Unclosed tag");
}

BOOST_AUTO_TEST_CASE(missing_symlinked_oversized_and_directory_templates_are_clear_errors) {
  temp_dir dir;
  dir.write("real.mustache", "{}");
  fs::create_symlink(dir.path / "real.mustache", dir.path / "link.mustache");
  dir.write("big.mustache", std::string(kMaxTemplateBytes + 1, 'x'));
  fs::create_directory(dir.path / "dir.mustache");
  const std::string base = dir.path.string() + "/";
  expect_errors(load_in(dir, chat("template = \"missing.mustache\"\n")),
                "5: template '" + base + "missing.mustache' does not exist");
  expect_errors(load_in(dir, chat("template = \"link.mustache\"\n")),
                "5: template '" + base + "link.mustache' is a symbolic link");
  expect_errors(load_in(dir, chat("template = \"big.mustache\"\n")),
                "5: template '" + base + "big.mustache' is 65537 bytes, larger than the limit of 65536");
  expect_errors(load_in(dir, chat("template = \"dir.mustache\"\n")),
                "5: template '" + base + "dir.mustache' is a directory, not a file");
  expect_errors(load_in(dir, chat("format = \"slack\"\ntemplate = \"\"\n")),
                "6: template must be the path of a Mustache file");
}

BOOST_AUTO_TEST_CASE(a_fifo_in_place_of_the_template_does_not_block_the_loader) {
  temp_dir dir;
  BOOST_REQUIRE(::mkfifo((dir.path / "fifo.mustache").c_str(), 0600) == 0);
  expect_errors(load_in(dir, chat("template = \"fifo.mustache\"\n")),
                "5: template '" + dir.path.string() + "/fifo.mustache' is not a regular file");
}

BOOST_AUTO_TEST_CASE(format_template_and_content_type_are_known_keys) {
  auto keys = known_keys();
  for (const char* k :
       {"notify.subscriptions.format", "notify.subscriptions.template", "notify.subscriptions.content_type"})
    BOOST_TEST((std::find(keys.begin(), keys.end(), k) != keys.end()), k);
}
