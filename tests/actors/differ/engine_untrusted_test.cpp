#define BOOST_TEST_MODULE differ_engine_untrusted
// The differ engine against a hostile repo (docs/security.md, "the repo is untrusted input"): files it must
// not read, and changes over the per-change cost caps.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <set>

#include "actors/differ/engine.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
namespace fs = std::filesystem;

namespace {

std::string table(int from, int to, const std::string& status) {
  std::string s = "| Task ID | Title | Status |\n|---|---|---|\n";
  for (int i = from; i <= to; ++i)
    s += "| T" + std::to_string(i) + " | task " + std::to_string(i) + " | " + status + " |\n";
  return s;
}

struct fixture : testing::temp_store {
  fs::path repo = dir / "repo";
  differ::engine make(size_t rows = 100000, size_t events = 20000) {
    differ::differ_limits l;
    l.max_task_rows = rows;
    l.max_events_per_diff = events;
    return differ::engine(db, repo, l);
  }
  void link(const fs::path& target, const std::string& rel) {
    fs::create_directories((repo / rel).parent_path());
    fs::create_symlink(target, repo / rel);
  }
};

size_t problems_mentioning(const differ::engine_result& r, const std::string& what) {
  size_t n = 0;
  for (const auto& p : r.problems) n += p.find(what) != std::string::npos;
  return n;
}

std::set<std::string> ids(const differ::engine_result& r) {
  std::set<std::string> out;
  for (const auto& e : r.events) out.insert(e.task_id);
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(files_outside_the_repo_are_refused_and_the_others_still_give_events, fixture) {
  dir.save("outside/secret.md", table(1, 1, "Backlog"));
  dir.save("repo/docs/SPEC-KIT-1-good/tasks.md", table(1, 1, "Backlog"));
  link(dir / "outside/secret.md", "SPEC.md");
  link("/proc/self/mem", "docs/SPEC-KIT-2-mem/tasks.md");
  fs::create_directories(repo / "docs/SPEC-KIT-3-fifo");
  BOOST_REQUIRE(::mkfifo((repo / "docs/SPEC-KIT-3-fifo/tasks.md").c_str(), 0600) == 0);  // no writer, ever
  link(dir / "outside", "docs/SPEC-KIT-4-linked");
  dir.save("outside/tasks.md", table(1, 1, "Backlog"));
  const std::vector<std::string> paths{"SPEC.md", "docs/SPEC-KIT-2-mem/tasks.md",
                                       "docs/SPEC-KIT-3-fifo/tasks.md", "docs/SPEC-KIT-4-linked/tasks.md",
                                       "docs/SPEC-KIT-1-good/tasks.md"};
  auto e = make();
  auto base = e.on_files_changed(paths);
  BOOST_TEST(problems_mentioning(base, "outside the repo") == 3u);
  BOOST_TEST(problems_mentioning(base, "FIFO") == 1u);
  dir.save("outside/secret.md", table(1, 1, "Done"));
  dir.save("outside/tasks.md", table(1, 1, "Done"));
  dir.save("repo/docs/SPEC-KIT-1-good/tasks.md", table(1, 1, "Done"));
  auto r = e.on_files_changed(paths);
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.events[0].source == "docs/SPEC-KIT-1-good/tasks.md");
  BOOST_TEST(!r.store_failed);
}

BOOST_FIXTURE_TEST_CASE(rows_past_max_task_rows_are_not_read_and_one_warning_names_file_and_key, fixture) {
  dir.save("repo/SPEC.md", table(1, 150, "Backlog"));
  auto e = make(100);
  auto base = e.on_files_changed({"SPEC.md"});
  BOOST_REQUIRE_EQUAL(problems_mentioning(base, "max_task_rows"), 1u);
  BOOST_TEST(problems_mentioning(base, "SPEC.md:103: more than 100 task rows") == 1u);  // T101 is line 103
  dir.save("repo/SPEC.md", table(1, 150, "Done"));
  auto r = e.on_files_changed({"SPEC.md"});
  BOOST_TEST(r.events.size() == 100u);  // every row under the cap, none past it
  BOOST_TEST(ids(r).count("T100") == 1u);
  BOOST_TEST(ids(r).count("T101") == 0u);
  BOOST_TEST(problems_mentioning(r, "max_task_rows") == 0u);  // warned once, not at every change
}

BOOST_FIXTURE_TEST_CASE(events_past_max_events_per_diff_are_deferred_to_later_passes_not_lost, fixture) {
  dir.save("repo/SPEC.md", table(1, 50, "Backlog"));
  auto e = make(100000, 20);
  e.on_files_changed({"SPEC.md"});
  dir.save("repo/SPEC.md", table(1, 50, "Done"));
  std::set<std::string> seen;
  auto r = e.on_files_changed({"SPEC.md"});
  BOOST_TEST(r.events.size() == 20u);
  BOOST_TEST(problems_mentioning(r, "max_events_per_diff = 20") == 1u);
  BOOST_TEST(problems_mentioning(r, "SPEC.md: over the per-change event cap: 20 of its 50") == 1u);
  BOOST_REQUIRE_EQUAL(r.recheck.size(), 1u);
  for (const auto& id : ids(r)) seen.insert(id);
  r = e.on_files_changed(r.recheck);  // what the differ actor does after kRecheckAfter
  BOOST_TEST(r.events.size() == 20u);
  BOOST_TEST(problems_mentioning(r, "max_events_per_diff") == 0u);  // one warning per episode
  for (const auto& id : ids(r)) BOOST_TEST(seen.insert(id).second, id << " emitted twice");
  r = e.on_files_changed(r.recheck);
  BOOST_TEST(r.events.size() == 10u);
  BOOST_TEST(r.recheck.empty());
  for (const auto& id : ids(r)) BOOST_TEST(seen.insert(id).second, id << " emitted twice");
  BOOST_TEST(seen.size() == 50u);
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
}

BOOST_FIXTURE_TEST_CASE(the_event_cap_spans_every_file_of_one_change, fixture) {
  dir.save("repo/docs/SPEC-KIT-1-a/tasks.md", table(1, 15, "Backlog"));
  dir.save("repo/docs/SPEC-KIT-2-b/tasks.md", table(1, 15, "Backlog"));
  const std::vector<std::string> both{"docs/SPEC-KIT-1-a/tasks.md", "docs/SPEC-KIT-2-b/tasks.md"};
  auto e = make(100000, 20);
  e.on_files_changed(both);
  dir.save("repo/docs/SPEC-KIT-1-a/tasks.md", table(1, 15, "Done"));
  dir.save("repo/docs/SPEC-KIT-2-b/tasks.md", table(1, 15, "Done"));
  auto r = e.on_files_changed(both);
  BOOST_TEST(r.events.size() == 20u);
  BOOST_TEST(r.recheck == std::vector<std::string>{"docs/SPEC-KIT-2-b/tasks.md"});
  BOOST_TEST(e.on_files_changed(r.recheck).events.size() == 10u);
}
