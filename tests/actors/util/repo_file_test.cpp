#define BOOST_TEST_MODULE repo_file
#include "actors/util/repo_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>

#include "actors/watcher/file_scan.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;
using util::repo_file_status;
namespace fs = std::filesystem;

namespace {

const std::string ev = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence";

struct repo_fixture {
  testing::temp_dir dir;
  fs::path repo = dir / "repo";
  repo_fixture() { fs::create_directories(repo / "docs"); }
  void link(const fs::path& target, const std::string& rel) {
    fs::create_directories((repo / rel).parent_path());
    fs::create_symlink(target, repo / rel);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_regular_file_inside_the_repo_is_read_whole, repo_fixture) {
  dir.save("repo/SPEC.md", "| ID | Status |\n");
  auto r = util::read_repo_file(repo, "SPEC.md");
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(repo_file_status::ok));
  BOOST_TEST(r.text == "| ID | Status |\n");
  BOOST_TEST(r.mtime_ns > 0);
}

BOOST_FIXTURE_TEST_CASE(a_symlink_that_stays_inside_the_repo_is_followed, repo_fixture) {
  dir.save("repo/docs/real/tasks.md", "inside");
  link("real", "docs/SPEC-KIT-1-alias");         // relative folder link
  link(repo / "docs/real/tasks.md", "SPEC.md");  // absolute file link, still inside
  BOOST_TEST(util::read_repo_file(repo, "docs/SPEC-KIT-1-alias/tasks.md").text == "inside");
  BOOST_TEST(util::read_repo_file(repo, "SPEC.md").text == "inside");
}

BOOST_FIXTURE_TEST_CASE(a_symlink_to_proc_self_mem_is_refused_without_reading, repo_fixture) {
  link("/proc/self/mem", "SPEC.md");
  auto r = util::read_repo_file(repo, "SPEC.md");
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(repo_file_status::refused));
  BOOST_TEST(r.text.empty());
  BOOST_TEST(r.reason.find("outside the repo") != std::string::npos, r.reason);
}

BOOST_FIXTURE_TEST_CASE(a_symlink_to_a_file_outside_the_repo_is_refused, repo_fixture) {
  dir.save("outside/secret.md", "| ID | Status |\n|---|---|\n| SECRET-1 | Done |\n");
  link(dir / "outside/secret.md", "docs/SPEC-KIT-2-out/tasks.md");
  link("../outside/secret.md", "SPEC.md");  // relative, climbing out
  for (const char* rel : {"docs/SPEC-KIT-2-out/tasks.md", "SPEC.md"}) {
    auto r = util::read_repo_file(repo, rel);
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(repo_file_status::refused), rel);
    BOOST_TEST(r.text.find("SECRET") == std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(a_fifo_is_refused_at_once_and_never_opened, repo_fixture) {
  BOOST_REQUIRE(::mkfifo((repo / "SPEC.md").c_str(), 0600) == 0);
  BOOST_REQUIRE(::mkfifo((dir / "outside.fifo").c_str(), 0600) == 0);
  link(dir / "outside.fifo", "docs/SPEC-KIT-3-fifo/tasks.md");
  // With no writer, a blocking open of a FIFO never returns: finishing at all is half of this test.
  const auto start = std::chrono::steady_clock::now();
  auto r = util::read_repo_file(repo, "SPEC.md");
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(repo_file_status::refused));
  BOOST_TEST(r.reason.find("FIFO") != std::string::npos, r.reason);
  auto l = util::read_repo_file(repo, "docs/SPEC-KIT-3-fifo/tasks.md");
  BOOST_TEST(static_cast<int>(l.status) == static_cast<int>(repo_file_status::refused));
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
}

BOOST_FIXTURE_TEST_CASE(a_device_a_folder_and_an_oversized_file_are_refused, repo_fixture) {
  link("/dev/zero", "SPEC.md");
  BOOST_TEST(static_cast<int>(util::read_repo_file(repo, "SPEC.md").status) ==
             static_cast<int>(repo_file_status::refused));
  fs::create_directories(repo / "docs/SPEC-KIT-4-dir/tasks.md");
  BOOST_TEST(static_cast<int>(util::read_repo_file(repo, "docs/SPEC-KIT-4-dir/tasks.md").status) ==
             static_cast<int>(repo_file_status::refused));
  dir.save("repo/docs/SPEC-KIT-5-big/tasks.md", std::string(2000, 'x'));
  auto big = util::read_repo_file(repo, "docs/SPEC-KIT-5-big/tasks.md", 1000);
  BOOST_TEST(static_cast<int>(big.status) == static_cast<int>(repo_file_status::error));
  BOOST_TEST(big.reason.find("1000-byte limit") != std::string::npos, big.reason);
  BOOST_TEST(big.text.empty());
}

BOOST_FIXTURE_TEST_CASE(missing_files_and_dangling_links_are_missing_not_refused, repo_fixture) {
  BOOST_TEST(static_cast<int>(util::read_repo_file(repo, "SPEC.md").status) ==
             static_cast<int>(repo_file_status::missing));
  link(repo / "nowhere.md", "docs/SPEC-KIT-6-dangling/tasks.md");
  BOOST_TEST(static_cast<int>(util::read_repo_file(repo, "docs/SPEC-KIT-6-dangling/tasks.md").status) ==
             static_cast<int>(repo_file_status::missing));
}

BOOST_FIXTURE_TEST_CASE(the_scan_stamps_only_safe_files_and_lists_the_refused_ones, repo_fixture) {
  dir.save("repo/SPEC.md", "ok");
  dir.save("repo/docs/SPEC-KIT-1-good/tasks.md", "ok");
  dir.save("outside/docs-folder/tasks.md", "| ID | Status |\n|---|---|\n| SECRET-1 | Done |\n");
  dir.save("outside/run.json", R"({"schemaVersion":1})");
  link(dir / "outside/docs-folder", "docs/SPEC-KIT-2-linked");  // a symlinked docs/<X> leaving the repo
  link("/proc/self/mem", "docs/SPEC-KIT-3-mem/tasks.md");
  BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  link(dir / "fifo", "docs/SPEC-KIT-4-fifo/tasks.md");
  link(dir / "outside/run.json", ev + "/commands/SPEC-KIT-1/spec-plan_s1.json");
  watcher::refusals refused;
  auto snap = watcher::scan_tracked_files(repo, ev, &refused);
  BOOST_TEST(snap.size() == 2u);
  BOOST_TEST(snap.count("SPEC.md") == 1u);
  BOOST_TEST(snap.count("docs/SPEC-KIT-1-good/tasks.md") == 1u);
  BOOST_TEST(refused.size() == 4u);
  for (const char* rel :
       {"docs/SPEC-KIT-2-linked/tasks.md", "docs/SPEC-KIT-3-mem/tasks.md", "docs/SPEC-KIT-4-fifo/tasks.md",
        "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-1/spec-plan_s1.json"})
    BOOST_TEST(refused.count(rel) == 1u, rel);
  // The one-argument form (no refusal list) stamps the same safe set.
  BOOST_TEST(watcher::scan_tracked_files(repo, ev).size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_symlinked_docs_folder_leaving_the_repo_is_not_watched, repo_fixture) {
  dir.save("outside/docs-folder/tasks.md", "x");
  dir.save("repo/docs/SPEC-KIT-1-real/tasks.md", "x");
  link(dir / "outside/docs-folder", "docs/SPEC-KIT-2-linked");
  BOOST_TEST(util::real_path_inside(repo, repo / "docs/SPEC-KIT-1-real"));
  BOOST_TEST(!util::real_path_inside(repo, repo / "docs/SPEC-KIT-2-linked"));
  BOOST_TEST(util::real_path_inside(repo, repo));
}
