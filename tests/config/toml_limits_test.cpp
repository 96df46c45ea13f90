// Issue 11: TOML with pathological structure (50,000-segment dotted keys, deep [[[[...]]]] / {a={a=...}}
// nesting, huge files) is refused with one located error before toml++ sees it, also inside tables
// spec-notify ignores. The loader runs here on a thread with a 256 KiB stack: without the limits, these
// inputs overflow it.
#define BOOST_TEST_MODULE toml_limits
#include "config/toml_limits.hpp"

#include <pthread.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "config/settings.hpp"
#include "settings_fixture.hpp"

using namespace spec_notify::config;
using namespace spec_notify::config::testing;
using spec_notify::config::detail::kMaxConfigBytes;
using spec_notify::config::detail::kMaxNestingDepth;

namespace {

constexpr size_t kSmallStack = 256 * 1024;

// Runs `body` on a fresh thread with a `stack_bytes` stack and waits for it (a stack overflow kills the
// test).
void on_small_stack(const std::function<void()>& body, size_t stack_bytes = kSmallStack) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  BOOST_REQUIRE(pthread_attr_setstacksize(&attr, stack_bytes) == 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  BOOST_REQUIRE(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&body)) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

load_result load_small_stack(const std::string& text) {
  load_result r;
  on_small_stack([&] { r = load(text); });
  return r;
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// `a.a.a....a = 1` with n segments.
std::string dotted_key(size_t n) {
  return "a" + repeat(".a", n - 1) + " = 1";
}

// The one problem of a refused structure, at the given line.
void expect_structure_error(const load_result& r, int line, std::string_view what) {
  BOOST_TEST_INFO(dump(r));
  BOOST_REQUIRE(r.problems.size() == 1u);
  const config_problem& p = r.problems[0];
  BOOST_TEST(!p.warning);
  BOOST_TEST(p.line == line);
  BOOST_TEST(p.col > 0);
  BOOST_TEST(p.message.find("TOML structure too deep: " + std::string(what)) == 0u);
  BOOST_TEST(p.message.find("more than 32 levels deep") != std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_50000_segment_dotted_key_in_an_ignored_table_is_refused_without_crashing) {
  load_result r = load_small_stack(kMinimal + "[other_tool]\n" + dotted_key(50000) + "\n");
  expect_structure_error(r, 7, "dotted key is nested");
  // Reported at the dot that goes past the limit: [other_tool] is level 1, so the 31st dot (column 62).
  BOOST_TEST(r.problems[0].col == 2 * (kMaxNestingDepth - 1));
}

BOOST_AUTO_TEST_CASE(a_50000_segment_table_header_is_refused) {
  load_result r = load_small_stack(kMinimal + "[" + repeat("a.", 49999) + "a]\nx = 1\n");
  expect_structure_error(r, 6, "table header is nested");
  r = load_small_stack(kMinimal + "[[" + repeat("b.", 49999) + "b]]\n");
  expect_structure_error(r, 6, "table header is nested");
}

BOOST_AUTO_TEST_CASE(deeply_nested_arrays_and_inline_tables_are_refused) {
  load_result r =
      load_small_stack(kMinimal + "[other]\nx = " + repeat("[", 50000) + repeat("]", 50000) + "\n");
  expect_structure_error(r, 7, "array is nested");
  r = load_small_stack(kMinimal + "[other]\nx = " + repeat("{a=", 50000) + "1" + repeat("}", 50000) + "\n");
  expect_structure_error(r, 7, "inline table is nested");
  r = load_small_stack(kMinimal + "y = [" + repeat("{a = [", 20000) + "\n");  // unterminated, still refused
  expect_structure_error(r, 6, "");
}

BOOST_AUTO_TEST_CASE(nesting_just_under_the_limit_is_toml_as_usual) {
  // Depth 32: x is level 1, each array one more.
  std::string arrays = "x = " + repeat("[", kMaxNestingDepth - 1) + "1" + repeat("]", kMaxNestingDepth - 1);
  load_result r = load_small_stack(kMinimal + "[other]\n" + std::string(arrays).replace(0, 1, "y") + "\n");
  // [other] is level 1, so y's arrays reach 33: one too many.
  expect_structure_error(r, 7, "array is nested");
  r = load_small_stack("x = " + repeat("[", kMaxNestingDepth - 1) + "1" + repeat("]", kMaxNestingDepth - 1) +
                       "\n" + kMinimal);
  BOOST_TEST(r.ok(), dump(r));
  r = load_small_stack(kMinimal + "[other]\n" + dotted_key(kMaxNestingDepth - 1) + "\n");
  BOOST_TEST(r.ok(), dump(r));
  r = load_small_stack(kMinimal + "[other]\n" + dotted_key(kMaxNestingDepth) + "\n");
  expect_structure_error(r, 7, "dotted key is nested");
}

BOOST_AUTO_TEST_CASE(brackets_dots_and_hashes_inside_strings_and_comments_do_not_count) {
  const std::string many = repeat("[{a.", 10000);
  load_result r = load_small_stack(kMinimal +
                                   "[other]\n"
                                   "basic = \"" +
                                   many + "\\\"" + many +
                                   "\"\n"
                                   "literal = '" +
                                   many +
                                   "'\n"
                                   "multi = \"\"\"\n" +
                                   many + "\n\"\" " + many +
                                   "\"\"\"\"\n"
                                   "multi_literal = '''" +
                                   many + "\n''" + many +
                                   "'''''\n"
                                   "\"quoted." +
                                   many +
                                   "\" = 1\n"
                                   "'lit." +
                                   many +
                                   "'.b = 2\n"
                                   "# " +
                                   many +
                                   "\n"
                                   "floats = [1.5, 2.5, 3.25, 1e3, 0.1, 1979-05-27T07:32:00Z]\n"
                                   "inline = { a = 1.5, b.c = \"x.y.z\", d = [ { e = 'f.g' } ] }\n"
                                   "[\"dotted.header.in.quotes\"] # " +
                                   many +
                                   "\n"
                                   "k = 1\n");
  BOOST_TEST(r.ok(), dump(r));
}

BOOST_AUTO_TEST_CASE(a_realistic_config_loads_on_a_small_stack) {
  load_result r;
  on_small_stack(
      [&] {
        r = load(R"([notify]
repo = "."
admin = "off"
[other.tool.with.some.depth]
matrix = [[1, 2], [3, 4], [[5], [6]]]
points = [{ x = 1, y = { z = [1.5, 2.5] } }]
[[notify.subscriptions]]
name = "chatops"
url = "http://127.0.0.1:8080/hooks/spec"
secret_env = "TEST_SECRET"
retry = { max_attempts = 3, initial_backoff = "1s" }
)");
      },
      64 * 1024);
  BOOST_TEST(r.ok(), dump(r));
}

BOOST_AUTO_TEST_CASE(config_text_over_one_mebibyte_is_refused) {
  std::string big = kMinimal + "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  load_result r = load(big);
  BOOST_REQUIRE(r.problems.size() == 1u);
  BOOST_TEST(r.problems[0].message.find("larger than 1 MiB") != std::string::npos);
  std::string fits = kMinimal + "# " + std::string(kMaxConfigBytes - kMinimal.size() - 3, 'x') + "\n";
  BOOST_TEST(fits.size() == kMaxConfigBytes);
  BOOST_TEST(load(fits).ok(), dump(load(fits)));
}

BOOST_AUTO_TEST_CASE(a_config_file_over_one_mebibyte_is_refused_by_size) {
  auto path =
      std::filesystem::temp_directory_path() / ("spec-notify-big-" + std::to_string(getpid()) + ".toml");
  {
    std::ofstream out(path, std::ios::binary);
    out << kMinimal << "# " << std::string(2 * kMaxConfigBytes, 'x') << "\n";
  }
  load_result r = load_settings_file(path.string(), default_env());
  std::filesystem::remove(path);
  BOOST_REQUIRE(r.problems.size() == 1u);
  BOOST_TEST(r.problems[0].file == path.string());
  BOOST_TEST(r.problems[0].message.find("larger than 1 MiB") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(structure_errors_name_the_file_line_and_column) {
  load_result r = load("[notify]\n\n\n  deep = " + repeat("[", 40) + repeat("]", 40) + "\n");
  BOOST_REQUIRE(r.problems.size() == 1u);
  // notify is level 1, deep level 2, so the 31st '[' makes level 33: column 10 + 30.
  BOOST_TEST(r.problems[0].to_string().rfind("test.toml:4:40: error: TOML structure too deep", 0) == 0u,
             r.problems[0].to_string());
}
