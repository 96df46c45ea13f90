#define BOOST_TEST_MODULE differ_engine
#include "actors/differ/engine.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "actors/store/records.hpp"
#include "tests/support/shared_fixtures.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;

namespace {

std::string tracker(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string s = "# Tracker\n\n| Order | Task ID | Title | Status | Notes |\n|---|---|---|---|---|\n";
  int n = 1;
  for (const auto& [id, status] : rows)
    s += "| " + std::to_string(n++) + " | " + id + " | title " + id + " | " + status +
         " | docs/SPEC-KIT-1-x/ |\n";
  return s;
}

struct fixture : testing::temp_store {
  // The clock runs an hour ahead, so every file here is long settled: these cases are about what events
  // say, not when (the consensus hold, kConsensusSettle, is telemetry_pointer_test's).
  differ::engine make() {
    return differ::engine(db, dir / "repo", {},
                          [] { return std::chrono::system_clock::now() + std::chrono::hours(1); });
  }
  size_t stored_events() {
    size_t n = 0;
    db->scan("evt/", [&](const std::string&, const std::string&) { return ++n, true; });
    return n;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(first_scan_is_a_baseline_without_events, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}, {"T2", "Backlog"}}));
  auto e = make();
  BOOST_TEST(!e.baseline_done());
  auto r = e.on_files_changed({"SPEC.md"});
  BOOST_TEST(r.events.empty());
  BOOST_TEST(e.baseline_done());
  BOOST_TEST(stored_events() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_status_change_emits_one_event_persisted_with_the_new_state, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "In Progress"}, {"T2", "Backlog"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  dir.save("repo/SPEC.md", tracker({{"T1", "**DONE**"}, {"T2", "Backlog"}}));
  auto r = e.on_files_changed({"SPEC.md"});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  const auto& ev = r.events[0];
  BOOST_TEST(ev.task_id == "T1");
  BOOST_TEST(ev.from == "In Progress");
  BOOST_TEST(ev.to == "Done");
  BOOST_TEST(ev.raw_status == "**DONE**");
  BOOST_TEST(ev.source == "SPEC.md");
  BOOST_TEST(ev.line == 5);
  BOOST_TEST(ev.spec_id == "SPEC-KIT-1-x");
  BOOST_TEST(stored_events() == 1u);
  // The same content again: nothing new.
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
}

BOOST_FIXTURE_TEST_CASE(a_restart_emits_nothing_twice_and_catches_changes_made_while_down, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "In Progress"}}));
  {
    auto e = make();
    e.on_files_changed({"SPEC.md"});
    dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
    BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.size() == 1u);
  }
  reopen();
  {
    auto e = make();
    BOOST_TEST(e.baseline_done());
    BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());  // restart: nothing re-emitted
  }
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}, {"T2", "In Review"}}));  // changed while down
  reopen();
  auto e = make();
  auto r = e.on_files_changed({"SPEC.md"});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.events[0].task_id == "T2");
  BOOST_TEST(r.events[0].from.empty());  // first seen after the baseline: from null
}

BOOST_FIXTURE_TEST_CASE(removed_rows_emit_nothing_and_reappearing_unchanged_rows_stay_quiet, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}, {"T2", "Backlog"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  dir.save("repo/SPEC.md", tracker({{"T2", "Backlog"}}));
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
  dir.save("repo/SPEC.md", "");  // truncated by a tool
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}, {"T2", "Backlog"}}));
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
}

BOOST_FIXTURE_TEST_CASE(rows_of_a_file_created_after_the_baseline_count_from_null, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  dir.save("repo/docs/SPEC-KIT-9-new/tasks.md",
           "| Order | Task | Owner | Status | Validation |\n| --- | --- | --- | --- | --- |\n"
           "| 1 | T9-1: Do it | Code | Done | ok |\n");
  auto r = e.on_files_changed({"docs/SPEC-KIT-9-new/tasks.md"});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.events[0].task_id == "T9-1");
  BOOST_TEST(r.events[0].spec_id == "SPEC-KIT-9-new");
  BOOST_TEST(r.events[0].from.empty());
  BOOST_TEST(r.events[0].source == "docs/SPEC-KIT-9-new/tasks.md");
}

BOOST_FIXTURE_TEST_CASE(other_to_other_is_not_a_transition, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "**N/A**"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  dir.save("repo/SPEC.md", tracker({{"T1", "**DEFERRED**"}}));
  BOOST_TEST(e.on_files_changed({"SPEC.md"}).events.empty());
}

BOOST_FIXTURE_TEST_CASE(untracked_and_unreadable_paths_are_ignored_or_reported_without_failing, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
  dir.save("repo/docs/a/b/tasks.md", tracker({{"T2", "Done"}}));
  auto e = make();
  auto r = e.on_files_changed({"SPEC.md", "docs/a/b/tasks.md", "README.md"});
  BOOST_TEST(r.events.empty());
  std::filesystem::create_directories(dir / "repo/docs/dir-instead/tasks.md");
  r = e.on_files_changed({"docs/dir-instead/tasks.md"});
  BOOST_TEST(r.events.empty());
}

BOOST_AUTO_TEST_CASE(task_file_rule_matches_the_contract) {
  BOOST_TEST(differ::engine::is_task_file("SPEC.md"));
  BOOST_TEST(differ::engine::is_task_file("docs/SPEC-KIT-1/tasks.md"));
  BOOST_TEST(!differ::engine::is_task_file("docs/archive/specs/tasks.md"));
  BOOST_TEST(!differ::engine::is_task_file("docs/tasks.md"));
  BOOST_TEST(!differ::engine::is_task_file("docs//tasks.md"));
  BOOST_TEST(!differ::engine::is_task_file("sub/SPEC.md"));
}

namespace {

const char* evidence = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence";

std::string telemetry_json(const std::string& command, const std::string& spec, const std::string& ts,
                           const std::string& stage_fields) {
  return "{\"schemaVersion\":1,\"command\":\"" + command + "\",\"specId\":\"" + spec + "\",\"sessionId\":\"" +
         ts + "-1\",\"timestamp\":\"" + ts + "\",\"artifacts\":[]," + stage_fields + "}";
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_new_telemetry_file_emits_one_stage_event_and_unlock_also_a_pipeline_event,
                        fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "In Progress"}}));
  std::string old_tel = std::string(evidence) + "/commands/SPEC-KIT-1/spec-plan_2025-10-01T00:00:00Z-1.json";
  dir.save("repo/" + old_tel,
           telemetry_json("spec-ops-plan", "SPEC-KIT-1", "2025-10-01T00:00:00Z",
                          "\"baseline\":{\"mode\":\"no-run\",\"artifact\":\"x\",\"status\":\"passed\"}"));
  std::string tasks_tel, unlock;
  {
    auto e = make();
    BOOST_TEST(
        e.on_files_changed({"SPEC.md", old_tel}).events.empty());  // baseline: existing telemetry is old news

    tasks_tel = std::string(evidence) + "/commands/SPEC-KIT-1/spec-tasks_2025-10-02T00:00:00Z-2.json";
    dir.save("repo/" + tasks_tel, telemetry_json("spec-ops-tasks", "SPEC-KIT-1", "2025-10-02T00:00:00Z",
                                                 "\"tool\":{\"status\":\"failed\"}"));
    auto r = e.on_files_changed({tasks_tel});
    BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
    BOOST_TEST(r.events[0].type == event_type::stage_completed);
    BOOST_TEST(r.events[0].stage == "tasks");
    BOOST_TEST(r.events[0].status == "failed");
    BOOST_TEST(r.events[0].context.telemetry.find(tasks_tel) != std::string::npos);
    BOOST_TEST(r.events[0].context.evidence.at(0) == tasks_tel);
    BOOST_TEST(e.on_files_changed({tasks_tel}).events.empty());  // rewritten: no second announcement

    unlock = std::string(evidence) + "/commands/SPEC-KIT-1/spec-unlock_2025-10-03T00:00:00Z-3.json";
    dir.save("repo/" + unlock, telemetry_json("spec-ops-unlock", "SPEC-KIT-1", "2025-10-03T00:00:00Z",
                                              "\"unlock_status\":\"unlocked\""));
    r = e.on_files_changed({unlock});
    BOOST_REQUIRE_EQUAL(r.events.size(), 2u);
    BOOST_TEST(r.events[1].type == event_type::pipeline_completed);
    BOOST_TEST(r.events[1].status == "passed");

    // Task events carry the latest telemetry of their SPEC (docs/SPEC-KIT-1-x/ matches key SPEC-KIT-1).
    dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
    r = e.on_files_changed({"SPEC.md"});
    BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
    BOOST_TEST(r.events[0].context.telemetry.find("\"command\":\"spec-ops-unlock\"") != std::string::npos);
  }
  reopen();
  auto again = make();
  BOOST_TEST(again.on_files_changed({old_tel, tasks_tel, unlock}).events.empty());  // restart: nothing twice
}

// Telemetry names a SPEC by its short key; events carry the full slug of its docs/ folder, like task events
// do, so `specs` globs on the slug and the per-SPEC evidence folder see both kinds.
BOOST_FIXTURE_TEST_CASE(stage_events_carry_the_full_slug_of_the_spec_folder, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
  dir.save("repo/docs/SPEC-KIT-075-add-webhook/tasks.md", tracker({{"T2", "Done"}}));
  dir.save("repo/docs/SPEC-KIT-080-one/tasks.md", tracker({{"T3", "Done"}}));
  dir.save("repo/docs/SPEC-KIT-080-two/tasks.md", tracker({{"T4", "Done"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  auto stage_spec = [&](const std::string& spec, const std::string& ts) {
    std::string rel = std::string(evidence) + "/commands/" + spec + "/spec-plan_" + ts + "-1.json";
    dir.save("repo/" + rel, telemetry_json("spec-ops-plan", spec, ts, "\"tool\":{\"status\":\"passed\"}"));
    auto r = e.on_files_changed({rel});
    BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
    return r.events[0].spec_id;
  };
  BOOST_TEST(stage_spec("SPEC-KIT-075", "2025-10-01T00:00:00Z") == "SPEC-KIT-075-add-webhook");
  BOOST_TEST(stage_spec("SPEC-KIT-075-add-webhook", "2025-10-01T00:00:01Z") == "SPEC-KIT-075-add-webhook");
  BOOST_TEST(stage_spec("SPEC-KIT-080", "2025-10-01T00:00:02Z") == "SPEC-KIT-080");  // two folders: keep it
  BOOST_TEST(stage_spec("SPEC-KIT-099", "2025-10-01T00:00:03Z") == "SPEC-KIT-099");  // no folder
  BOOST_TEST(stage_spec("SPEC-KIT-0", "2025-10-01T00:00:04Z") == "SPEC-KIT-0");      // prefix, other key
}

// An in-place save caught mid-write (no final newline, modified a moment ago) must not flap the last row's
// status; the file is offered again (recheck) and, once left alone, read whole.
BOOST_FIXTURE_TEST_CASE(a_task_file_caught_mid_write_is_rechecked_instead_of_flapping, fixture) {
  const std::string head = "| Task ID | Status\n|---|---\n| T1 | Backlog\n";
  dir.save("repo/docs/SPEC-KIT-1-x/tasks.md", head + "| T2 | Done\n");
  auto e = make();
  e.on_files_changed({"docs/SPEC-KIT-1-x/tasks.md"});
  dir.save("repo/docs/SPEC-KIT-1-x/tasks.md", head + "| T2 | Do");  // just written, cut inside "Done"
  auto r = e.on_files_changed({"docs/SPEC-KIT-1-x/tasks.md"});
  BOOST_TEST(r.events.empty());
  BOOST_REQUIRE_EQUAL(r.recheck.size(), 1u);
  BOOST_TEST(r.recheck[0] == "docs/SPEC-KIT-1-x/tasks.md");
  // The writer finished long ago with a real change and no final newline: read whole, one event.
  dir.save("repo/docs/SPEC-KIT-1-x/tasks.md", head + "| T2 | Blocked");
  std::filesystem::last_write_time(dir / "repo/docs/SPEC-KIT-1-x/tasks.md",
                                   std::filesystem::file_time_type::clock::now() - std::chrono::seconds(10));
  r = e.on_files_changed({"docs/SPEC-KIT-1-x/tasks.md"});
  BOOST_TEST(r.recheck.empty());
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.events[0].task_id == "T2");
  BOOST_TEST(r.events[0].from == "Done");
  BOOST_TEST(r.events[0].to == "Blocked");
}

BOOST_FIXTURE_TEST_CASE(unknown_schemas_and_broken_json_are_skipped_without_events, fixture) {
  dir.save("repo/SPEC.md", tracker({{"T1", "Done"}}));
  auto e = make();
  e.on_files_changed({"SPEC.md"});
  std::string v2 = std::string(evidence) + "/commands/SPEC-KIT-1/spec-plan_2025-10-05T00:00:00Z-5.json";
  dir.save("repo/" + v2, "{\"schemaVersion\":\"2.0\",\"command\":\"spec-ops-plan\"}");
  std::string half = std::string(evidence) + "/commands/SPEC-KIT-1/spec-plan_2025-10-06T00:00:00Z-6.json";
  dir.save("repo/" + half, "{\"schemaVersion\":1,\"comm");
  auto r = e.on_files_changed({v2, half});
  BOOST_TEST(r.events.empty());
  BOOST_TEST(r.skipped.size() == 1u);
  BOOST_TEST(r.problems.size() == 1u);
  // The half-written file, once complete, is announced.
  dir.save("repo/" + half,
           telemetry_json("spec-ops-plan", "SPEC-KIT-1", "2025-10-06T00:00:00Z",
                          "\"baseline\":{\"mode\":\"x\",\"artifact\":\"y\",\"status\":\"passed\"}"));
  BOOST_TEST(e.on_files_changed({half}).events.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(real_fixture_evidence_feeds_context_without_crashing, fixture,
                        spec_notify::testing::needs_shared_fixtures()) {
  const std::filesystem::path shared = spec_notify::testing::shared_fixtures_dir();
  std::filesystem::create_directories(dir / "repo");
  std::filesystem::copy(shared, dir / "repo", std::filesystem::copy_options::recursive);
  std::vector<std::string> paths;
  for (auto& f : std::filesystem::recursive_directory_iterator(dir / "repo"))
    if (f.is_regular_file())
      paths.push_back(std::filesystem::relative(f.path(), dir / "repo").generic_string());
  auto e = make();
  auto r = e.on_files_changed(paths);
  BOOST_TEST(r.events.empty());
  // A status flip in the real SPEC.md after the baseline yields exactly one event with that SPEC's context.
  std::ifstream in(dir / "repo/SPEC.md");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pos = text.find("| T60 | Template validation | **DONE** |");
  BOOST_REQUIRE(pos != std::string::npos);
  text.replace(text.find("**DONE**", pos), 8, "In Progress");
  dir.save("repo/SPEC.md", text);
  r = e.on_files_changed({"SPEC.md"});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.events[0].task_id == "T60");
  BOOST_TEST(r.events[0].to == "In Progress");
}
