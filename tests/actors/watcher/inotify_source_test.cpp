#define BOOST_TEST_MODULE inotify_source
#include "actors/watcher/inotify_source.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>

#include "actors/watcher/file_scan.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;
using watcher::inotify_source;

namespace {

const std::string ev = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence";

// Polls until `want` is reported or 5 s pass (inotify delivers within milliseconds; the deadline only bounds
// a failure).
bool reported(inotify_source& src, const std::string& want) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::set<std::string> got;
  while (std::chrono::steady_clock::now() < until) {
    src.poll(50, got);
    if (got.count(want)) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(atomic_rename_and_in_place_saves_of_spec_md_are_reported) {
  testing::temp_dir dir;
  dir.save("repo/SPEC.md", "a");
  inotify_source src(dir / "repo", ev);
  BOOST_REQUIRE(src.ok());
  dir.save("repo/SPEC.md", "b");  // temp file + rename
  BOOST_TEST(reported(src, "SPEC.md"));
  std::ofstream(dir / "repo/SPEC.md", std::ios::trunc) << "c";  // in place
  BOOST_TEST(reported(src, "SPEC.md"));
}

BOOST_AUTO_TEST_CASE(tasks_md_in_a_new_folder_and_a_recreated_file_are_reported) {
  testing::temp_dir dir;
  std::filesystem::create_directories(dir / "repo/docs");
  inotify_source src(dir / "repo", ev);
  dir.save("repo/docs/SPEC-KIT-1-new/tasks.md", "x");  // mkdir + write: the folder did not exist
  BOOST_TEST(reported(src, "docs/SPEC-KIT-1-new/tasks.md"));
  std::filesystem::remove(dir / "repo/docs/SPEC-KIT-1-new/tasks.md");
  dir.save("repo/docs/SPEC-KIT-1-new/tasks.md", "y");
  BOOST_TEST(reported(src, "docs/SPEC-KIT-1-new/tasks.md"));
}

BOOST_AUTO_TEST_CASE(docs_folder_created_after_start_is_watched) {
  testing::temp_dir dir;
  std::filesystem::create_directories(dir / "repo");
  inotify_source src(dir / "repo", ev);
  dir.save("repo/docs/SPEC-KIT-2/tasks.md", "x");  // docs/ itself is new
  BOOST_TEST(reported(src, "docs/SPEC-KIT-2/tasks.md"));
}

BOOST_AUTO_TEST_CASE(telemetry_in_a_new_evidence_tree_is_reported_and_untracked_files_are_not) {
  testing::temp_dir dir;
  std::filesystem::create_directories(dir / "repo/docs");
  inotify_source src(dir / "repo", ev);
  std::string tel = ev + "/commands/SPEC-KIT-3/spec-plan_2025-10-05T00:22:04Z-1.json";
  dir.save("repo/" + tel, "{}");
  BOOST_TEST(reported(src, tel));
  dir.save("repo/docs/deep/er/tasks.md", "x");  // deeper than docs/<one folder>/
  dir.save("repo/README.md", "x");
  std::set<std::string> got;
  src.poll(100, got);
  BOOST_TEST(got.count("docs/deep/er/tasks.md") == 0u);
  BOOST_TEST(got.count("README.md") == 0u);
}

BOOST_AUTO_TEST_CASE(tracked_path_rule_matches_task_files_and_telemetry_only) {
  BOOST_TEST(watcher::is_tracked_path("SPEC.md", ev));
  BOOST_TEST(watcher::is_tracked_path("docs/X/tasks.md", ev));
  BOOST_TEST(!watcher::is_tracked_path("docs/X/Y/tasks.md", ev));
  BOOST_TEST(watcher::is_tracked_path(ev + "/commands/S/spec-plan_1.json", ev));
  BOOST_TEST(watcher::is_tracked_path(ev + "/consensus/S/spec-plan_1_telemetry.jsonl", ev));
  BOOST_TEST(!watcher::is_tracked_path(ev + "/commands/S/spec-plan_1.log", ev));
  BOOST_TEST(!watcher::is_tracked_path(ev + "/commands/S/sub/x.json", ev));
}

BOOST_AUTO_TEST_CASE(stamps_change_on_rename_and_in_place_writes) {
  testing::temp_dir dir;
  dir.save("repo/SPEC.md", "a");
  auto before = watcher::scan_tracked_files(dir / "repo", ev);
  dir.save("repo/SPEC.md", "a");  // same content, new inode
  auto after = watcher::scan_tracked_files(dir / "repo", ev);
  BOOST_TEST(watcher::changed_paths(before, after) == std::vector<std::string>{"SPEC.md"});
  BOOST_TEST(watcher::changed_paths(after, after).empty());
}

// A real IN_Q_OVERFLOW, without touching the system-wide limit: more close events than
// /proc/sys/fs/inotify/max_queued_events while nothing reads. Two files alternate, since the kernel merges an
// event identical to the last one queued.
BOOST_AUTO_TEST_CASE(a_queue_overflow_is_reported_so_the_watcher_rescans) {
  testing::temp_dir dir;
  dir.save("repo/docs/SPEC-KIT-4/tasks.md", "a");
  dir.save("repo/SPEC.md", "a");
  inotify_source src(dir / "repo", ev);
  BOOST_REQUIRE(src.ok());
  BOOST_TEST(src.watches_complete());
  long max_events = 16384;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_events;
  for (long i = 0; i <= max_events; ++i)
    std::ofstream(dir / (i % 2 ? "repo/SPEC.md" : "repo/docs/SPEC-KIT-4/tasks.md"), std::ios::app);
  std::set<std::string> got;
  BOOST_TEST(!src.poll(0, got));  // false: events were lost
  BOOST_TEST(src.poll(0, got));   // the overflow is reported once
}

BOOST_AUTO_TEST_CASE(a_watched_folder_that_goes_away_makes_the_watches_incomplete_until_a_refresh) {
  testing::temp_dir dir;
  dir.save("repo/docs/SPEC-KIT-5/tasks.md", "a");
  inotify_source src(dir / "repo", ev);
  BOOST_REQUIRE(src.watches_complete());
  std::filesystem::rename(dir / "repo/docs/SPEC-KIT-5", dir / "SPEC-KIT-5-moved-out");
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::set<std::string> got;
  while (src.watches_complete() && std::chrono::steady_clock::now() < until) src.poll(50, got);
  BOOST_TEST(!src.watches_complete());
  src.refresh_watches();
  BOOST_TEST(src.watches_complete());
}

BOOST_AUTO_TEST_CASE(a_repo_root_that_does_not_exist_is_not_complete) {
  testing::temp_dir dir;
  inotify_source src(dir / "no-repo", ev);
  BOOST_REQUIRE(src.ok());
  BOOST_TEST(!src.watches_complete());  // no root watch: nothing would report the repo appearing
  std::filesystem::create_directories(dir / "no-repo");
  src.refresh_watches();
  BOOST_TEST(src.watches_complete());
}

BOOST_AUTO_TEST_CASE(a_tracked_symlink_put_in_place_is_flagged_for_a_rescan) {
  testing::temp_dir dir;
  dir.save("repo/docs/SPEC-KIT-6/other.md", "a");
  inotify_source src(dir / "repo", ev);
  // IN_CREATE only: no close or rename follows, so only a rescan would stamp (or refuse) it.
  std::filesystem::create_symlink("other.md", dir / "repo/docs/SPEC-KIT-6/tasks.md");
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::set<std::string> got;
  bool created = false;
  while (!created && std::chrono::steady_clock::now() < until) {
    src.poll(50, got);
    created = src.take_created();
  }
  BOOST_TEST(created);
  BOOST_TEST(!src.take_created());  // reported once
}
