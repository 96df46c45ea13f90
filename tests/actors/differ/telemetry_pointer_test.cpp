#define BOOST_TEST_MODULE telemetry_pointer
// Stage and pipeline events point at the telemetry file that produced them and at the consensus record of
// that same run, whatever order the files arrive in (file by file, shuffled, or all at once as a git pull
// brings them); task events keep "the SPEC's latest". A new telemetry file whose run's record is not known
// yet is held for kConsensusSettle (offered again through `recheck`) and then announced exactly once: the
// clock is injected, the tests move it on instead of sleeping. Fixtures:
// tests/actors/differ/fixtures/pointer/, in the real Spec Kit formats (design/spec-kit-formats.md).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "actors/differ/engine.hpp"
#include "actors/differ/spec_context.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/router/payload.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(SPEC_NOTIFY_TEST_DIR) / "actors/differ/fixtures/pointer/evidence";
const std::string kEvidence = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/";
const std::string kCommands = kEvidence + "commands/SPEC-KIT-910/";
const std::string kConsensus = kEvidence + "consensus/SPEC-KIT-910/";

// What each telemetry v1 file's event must carry. consensus: the preferred record of the run ("" = none);
// also_of_run: a lesser record of the same run, acceptable while the preferred one has not arrived yet.
struct expected {
  std::string command, session, timestamp, status, consensus, also_of_run;
};

const std::map<std::string, expected>& expectations() {
  static const std::map<std::string, expected> m{
      {kCommands + "spec-plan_2025-10-06T00:13:38Z-208265660.json",
       {"spec-ops-plan", "2025-10-06T00:13:38Z-208265660", "2025-10-06T00:19:45Z", "passed",
        kConsensus + "spec-plan_2025-10-06T00:19:45Z_telemetry.jsonl", ""}},
      {kCommands + "spec-plan_2025-10-06T00:49:51Z-109239950.json",
       {"spec-ops-plan", "2025-10-06T00:49:51Z-109239950", "2025-10-06T00:54:39Z", "failed", "", ""}},
      {kCommands + "spec-tasks_2025-10-06T00:23:31Z-147249325.json",
       {"spec-ops-tasks", "2025-10-06T00:23:31Z-147249325", "2025-10-06T00:27:16Z", "passed",
        kConsensus + "spec-tasks_2025-10-06T00:27:16Z_telemetry.jsonl", ""}},
      {kCommands + "spec-implement_2025-10-06T00:31:00Z-958132615.json",
       {"spec-ops-implement", "2025-10-06T00:31:00Z-958132615", "2025-10-06T00:36:46Z", "passed",
        kConsensus + "spec-implement_2025-10-06T00:36:46Z_synthesis.json",
        kConsensus + "spec-implement_2025-10-06T00:36:46Z_telemetry.jsonl"}},
      {kCommands + "spec-validate_2025-10-06T00:43:23Z-1080513534.json",
       {"spec-ops-validate", "2025-10-06T00:43:23Z-1080513534", "2025-10-06T00:49:28Z", "failed", "", ""}},
      // No sessionId in the file: the session comes from its name.
      {kCommands + "spec-audit_2025-10-06T01:02:10Z-2643511248.json",
       {"spec-ops-audit", "2025-10-06T01:02:10Z-2643511248", "2025-10-06T01:07:58Z", "passed",
        kConsensus + "spec-audit_synthesis.json", ""}},
      {kCommands + "spec-unlock_2025-10-06T01:10:27Z-25648154.json",
       {"spec-ops-unlock", "2025-10-06T01:10:27Z-25648154", "2025-10-06T01:14:16Z", "passed", "", ""}},
      // Same run time as SPEC-KIT-910's plan consensus, other SPEC: borrows nothing.
      {kEvidence + "commands/SPEC-KIT-911-other-spec/spec-plan_2025-10-06T00:15:00Z-1.json",
       {"spec-ops-plan", "2025-10-06T00:15:00Z-1", "2025-10-06T00:19:45Z", "passed", "", ""}},
  };
  return m;
}

std::vector<std::string> fixture_files() {
  std::vector<std::string> files;
  for (const auto& f : fs::recursive_directory_iterator(kFixtures))
    if (f.is_regular_file()) files.push_back(kEvidence + fs::relative(f.path(), kFixtures).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string text(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  return o && o->has(key) && o->get(key).isString() ? o->getValue<std::string>(key) : "<absent>";
}

struct fixture : testing::temp_store {
  fs::path repo = dir / "repo";
  std::chrono::system_clock::duration skew{};  // the engine's clock = now + skew
  differ::engine engine{db, repo, {}, [this] { return std::chrono::system_clock::now() + skew; }};
  fixture() {
    dir.save("repo/SPEC.md",
             "| Task ID | Title | Status | Notes |\n|---|---|---|---|\n| T1 | one | Backlog | "
             "docs/SPEC-KIT-910-x/ |\n");
    BOOST_REQUIRE(engine.on_files_changed({"SPEC.md"}).events.empty());  // baseline, before any evidence
  }
  void copy_in(const std::string& rel) {
    fs::create_directories((repo / rel).parent_path());
    fs::copy_file(kFixtures / rel.substr(kEvidence.size()), repo / rel, fs::copy_options::overwrite_existing);
    fs::last_write_time(repo / rel, fs::file_time_type::clock::now());  // written now (copy_file may keep it)
  }
  // The settle time passes: the files held so far (`recheck`) are offered again, as differ_actor does.
  differ::engine_result settle(const std::vector<std::string>& recheck) {
    skew += differ::kConsensusSettle;
    return engine.on_files_changed(recheck);
  }
};

void add_recheck(std::vector<std::string>& all, const differ::engine_result& r) {
  for (const auto& p : r.recheck)
    if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(p);
}

// Checks every stage/pipeline event against the expectations; `arrived_before` says, per event source, which
// consensus files had been offered to the engine before it (or in the same call).
struct checker {
  std::map<std::string, int> stage_events, pipeline_events;

  void check(const event& e, const std::vector<std::string>& arrived) {
    BOOST_TEST_CONTEXT("event from " << e.source << " (" << e.type << ")") {
      const auto it = expectations().find(e.source);
      BOOST_REQUIRE_MESSAGE(it != expectations().end(), "event from an unexpected file");
      const expected& want = it->second;
      (e.type == event_type::stage_completed ? stage_events : pipeline_events)[e.source]++;
      // The rendered payload, as a receiver sees it.
      const auto body = parse(router::render_payload(e, "msg_test", 1, "T1"));
      const auto tel = body->getObject("telemetry");
      BOOST_REQUIRE(tel);
      BOOST_TEST(text(tel, "path") == e.source);
      BOOST_TEST(text(tel, "command") == want.command);
      BOOST_TEST(text(tel, "session_id") == want.session);
      BOOST_TEST(text(tel, "timestamp") == want.timestamp);
      BOOST_TEST(text(tel, "status") == want.status);
      BOOST_TEST(text(body, "status") == want.status);
      const auto con = body->getObject("consensus");
      auto has = [&](const std::string& p) { return std::count(arrived.begin(), arrived.end(), p) > 0; };
      std::string want_consensus = "<null>";
      if (!want.consensus.empty() && has(want.consensus))
        want_consensus = want.consensus;
      else if (!want.also_of_run.empty() && has(want.also_of_run))
        want_consensus = want.also_of_run;
      BOOST_TEST((con ? text(con, "path") : "<null>") == want_consensus);
      const auto evidence = body->getArray("evidence");
      BOOST_REQUIRE(evidence);
      BOOST_TEST(evidence->getElement<std::string>(0) == e.source);
    }
  }

  void require_one_per_file() {
    for (const auto& [path, want] : expectations()) {
      BOOST_TEST(stage_events[path] == 1, path << ": " << stage_events[path] << " stage events");
      const int pipelines = path.find("/spec-unlock_") != std::string::npos ? 1 : 0;
      BOOST_TEST(pipeline_events[path] == pipelines,
                 path << ": " << pipeline_events[path] << " pipeline events");
    }
    BOOST_TEST(stage_events.size() == expectations().size());
  }
};

void replay_file_by_file(fixture& f, const std::vector<std::string>& order) {
  checker c;
  std::vector<std::string> arrived;
  std::vector<std::string> held;
  for (const auto& rel : order) {
    f.copy_in(rel);
    arrived.push_back(rel);
    const auto r = f.engine.on_files_changed({rel});
    for (const auto& e : r.events) c.check(e, arrived);
    add_recheck(held, r);
  }
  const auto r = f.settle(held);
  for (const auto& e : r.events) c.check(e, arrived);
  BOOST_TEST(r.recheck.empty());
  c.require_one_per_file();
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(file_by_file_in_name_order_each_event_points_at_its_own_file, fixture) {
  replay_file_by_file(*this, fixture_files());
}

BOOST_FIXTURE_TEST_CASE(file_by_file_in_reverse_name_order_each_event_points_at_its_own_file, fixture) {
  auto files = fixture_files();
  std::reverse(files.begin(), files.end());
  replay_file_by_file(*this, files);
}

BOOST_AUTO_TEST_CASE(file_by_file_in_shuffled_orders_each_event_points_at_its_own_file) {
  for (unsigned seed : {1u, 7u, 42u, 2025u, 31337u}) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      fixture f;
      auto files = fixture_files();
      std::shuffle(files.begin(), files.end(), std::mt19937(seed));
      replay_file_by_file(f, files);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(telemetry_before_consensus_and_newest_first_still_points_at_its_own_file, fixture) {
  // The adversarial order for "latest of the SPEC": newest telemetry first, consensus last.
  std::vector<std::string> files, consensus;
  for (const auto& f : fixture_files())
    (f.find("/commands/") != std::string::npos ? files : consensus).push_back(f);
  std::reverse(files.begin(), files.end());
  files.insert(files.end(), consensus.begin(), consensus.end());
  replay_file_by_file(*this, files);
}

BOOST_AUTO_TEST_CASE(one_burst_as_a_git_pull_brings_it_points_each_event_at_its_own_file_and_run) {
  for (unsigned seed : {0u, 3u, 99u}) {
    BOOST_TEST_CONTEXT("burst order seed " << seed) {
      fixture f;
      auto files = fixture_files();
      for (const auto& rel : files) f.copy_in(rel);
      if (seed == 0)
        std::reverse(files.begin(), files.end());
      else
        std::shuffle(files.begin(), files.end(), std::mt19937(seed));
      checker c;
      const auto r = f.engine.on_files_changed(files);
      for (const auto& e : r.events) c.check(e, files);  // every consensus record is known: exact matches
      // The files without a record of their run wait for the settle time, then go out.
      const auto later = f.settle(r.recheck);
      for (const auto& e : later.events) c.check(e, files);
      c.require_one_per_file();
      BOOST_TEST(r.events.size() + later.events.size() == expectations().size() + 1);  // + unlock's pipeline
    }
  }
}

BOOST_FIXTURE_TEST_CASE(task_events_keep_the_latest_telemetry_and_consensus_of_the_spec, fixture) {
  auto files = fixture_files();
  std::reverse(files.begin(), files.end());
  for (const auto& rel : files) {
    copy_in(rel);
    engine.on_files_changed({rel});
  }
  dir.save("repo/SPEC.md",
           "| Task ID | Title | Status | Notes |\n|---|---|---|---|\n| T1 | one | Done | "
           "docs/SPEC-KIT-910-x/ |\n");
  const auto r = engine.on_files_changed({"SPEC.md"});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  const auto body = parse(router::render_payload(r.events[0], "msg_test", 1, "T1"));
  BOOST_TEST(text(body->getObject("telemetry"), "path") ==
             kCommands + "spec-unlock_2025-10-06T01:10:27Z-25648154.json");  // greatest timestamp
  BOOST_TEST(text(body->getObject("consensus"), "path") ==
             kConsensus + "spec-validate_2025-10-06T02:00:00Z_telemetry.jsonl");  // greatest name
}

BOOST_AUTO_TEST_CASE(consensus_records_expose_their_run_time_and_named_telemetry) {
  const auto jsonl = differ::read_consensus(
      R"({"schemaVersion": "2.0", "command": "spec-plan", "timestamp": "2025-10-06T00:19:45Z", "consensus": {"status": "ok"}})",
      kConsensus + "spec-plan_2025-10-06T00:19:45Z_telemetry.jsonl");
  BOOST_REQUIRE((jsonl.status == differ::read_status::ok));
  BOOST_TEST(jsonl.value.run == "2025-10-06T00:19:45Z");
  BOOST_TEST(jsonl.value.telemetry.empty());
  const auto named = differ::read_consensus(
      R"({"stage": "spec-audit", "status": "ok", "telemetry": "docs/x/evidence/commands/SPEC-KIT-910/spec-audit_1.json"})",
      kConsensus + "spec-audit_synthesis.json");
  BOOST_REQUIRE((named.status == differ::read_status::ok));
  BOOST_TEST(named.value.run.empty());
  BOOST_TEST(differ::same_evidence_file(named.value.telemetry, kCommands + "spec-audit_1.json"));
  BOOST_TEST(differ::same_evidence_file("/home/u/code/" + kCommands + "spec-audit_1.json",
                                        kCommands + "spec-audit_1.json"));
  BOOST_TEST(!differ::same_evidence_file(named.value.telemetry,
                                         kEvidence + "commands/SPEC-KIT-9/spec-audit_1.json"));
}

BOOST_AUTO_TEST_CASE(a_record_naming_another_telemetry_file_is_not_matched_by_its_time) {
  differ::spec_context ctx;
  differ::consensus_summary c;
  c.status = "ok";
  c.stage = "plan";
  c.path = kConsensus + "spec-plan_2025-10-06T00:19:45Z_synthesis.json";
  c.run = "2025-10-06T00:19:45Z";
  c.telemetry = kCommands + "spec-plan_other.json";
  ctx.add_consensus("SPEC-KIT-910", c);
  differ::telemetry_summary t;
  t.spec_id = "SPEC-KIT-910";
  t.stage = "plan";
  t.timestamp = "2025-10-06T00:19:45Z";
  t.path = kCommands + "spec-plan_mine.json";
  BOOST_TEST(ctx.consensus_of(t) == nullptr);
  t.path = kCommands + "spec-plan_other.json";
  BOOST_TEST(ctx.consensus_of(t) != nullptr);
}

// A git pull writes commands/ before consensus/, and the watcher may report them in two batches: the
// consensus record already on disk is found although nobody has reported it yet.
BOOST_FIXTURE_TEST_CASE(a_consensus_record_on_disk_but_not_yet_reported_is_found, fixture) {
  auto files = fixture_files();
  for (const auto& rel : files) copy_in(rel);
  std::vector<std::string> commands;
  for (const auto& f : files)
    if (f.find("/commands/") != std::string::npos) commands.push_back(f);
  checker c;
  const auto r = engine.on_files_changed(commands);
  for (const auto& e : r.events) c.check(e, files);
  for (const auto& e : settle(r.recheck).events) c.check(e, files);
  c.require_one_per_file();
}

namespace {

size_t stored_events(testing::temp_store& s) {
  size_t n = 0;
  s.db->scan("evt/", [&](const std::string&, const std::string&) { return ++n, true; });
  return n;
}

std::string consensus_path(const event& e) {
  const auto con = parse(router::render_payload(e, "msg_test", 1, "T1"))->getObject("consensus");
  return con ? text(con, "path") : "<null>";
}

}  // namespace

// A live run (or a pull reported in two changes): the telemetry file first, its consensus record in a later
// change within the settle time. The event waits and carries the record, whatever the arrival order.
BOOST_FIXTURE_TEST_CASE(a_consensus_record_arriving_after_its_telemetry_within_the_settle_time_is_carried,
                        fixture) {
  const std::string tel = kCommands + "spec-plan_2025-10-06T00:13:38Z-208265660.json";
  const std::string con = kConsensus + "spec-plan_2025-10-06T00:19:45Z_telemetry.jsonl";
  copy_in(tel);
  const auto first = engine.on_files_changed({tel});
  BOOST_TEST(first.events.empty());  // held: no record of its run yet
  BOOST_REQUIRE_EQUAL(first.recheck.size(), 1u);
  BOOST_TEST(first.recheck[0] == tel);
  BOOST_TEST(first.recheck_after.count() == differ::kConsensusSettle.count());
  BOOST_TEST(stored_events(*this) == 0u);  // nothing in the outbox either
  skew += differ::kConsensusSettle / 4;
  BOOST_TEST(engine.on_files_changed({tel}).events.empty());  // reported again (a rescan): still held
  copy_in(con);
  skew += differ::kConsensusSettle / 4;
  BOOST_TEST(engine.on_files_changed({con}).events.empty());
  // The recheck once the settle time is over (differ_actor sends it after recheck_after): the one event.
  skew = differ::kConsensusSettle;
  const auto due = engine.on_files_changed(first.recheck);
  BOOST_REQUIRE_EQUAL(due.events.size(), 1u);
  BOOST_TEST(due.events[0].source == tel);
  BOOST_TEST(consensus_path(due.events[0]) == con);
  BOOST_TEST(due.recheck.empty());
  BOOST_TEST(stored_events(*this) == 1u);
  // Never twice: neither a later report of the file nor a stray recheck announces it again.
  skew += differ::kConsensusSettle;
  BOOST_TEST(engine.on_files_changed({tel, con}).events.empty());
  BOOST_TEST(engine.on_files_changed(first.recheck).events.empty());
  BOOST_TEST(stored_events(*this) == 1u);
}

// The record never comes: the event goes out once the settle time is over, without it, exactly once; and
// not before (a recheck that comes early holds it again, with the same deadline).
BOOST_FIXTURE_TEST_CASE(without_a_consensus_record_the_event_goes_out_after_the_settle_time_exactly_once,
                        fixture) {
  const std::string tel = kCommands + "spec-validate_2025-10-06T00:43:23Z-1080513534.json";
  copy_in(tel);
  const auto first = engine.on_files_changed({tel});
  BOOST_TEST(first.events.empty());
  BOOST_REQUIRE_EQUAL(first.recheck.size(), 1u);
  skew += differ::kConsensusSettle / 2;
  const auto early = engine.on_files_changed(first.recheck);
  BOOST_TEST(early.events.empty());
  BOOST_TEST(early.recheck == first.recheck);
  skew = differ::kConsensusSettle;
  const auto due = engine.on_files_changed(early.recheck);
  BOOST_REQUIRE_EQUAL(due.events.size(), 1u);
  BOOST_TEST(due.events[0].source == tel);
  BOOST_TEST(due.events[0].type == event_type::stage_completed);
  BOOST_TEST(consensus_path(due.events[0]) == "<null>");
  BOOST_TEST(due.recheck.empty());
  for (int i = 0; i < 3; ++i) {
    skew += differ::kConsensusSettle;
    BOOST_TEST(engine.on_files_changed({tel}).events.empty());
  }
  BOOST_TEST(stored_events(*this) == 1u);
}

// A held unlock file gives both its events at once when due, once.
BOOST_FIXTURE_TEST_CASE(a_held_unlock_file_gives_its_stage_and_pipeline_events_when_due, fixture) {
  const std::string tel = kCommands + "spec-unlock_2025-10-06T01:10:27Z-25648154.json";
  copy_in(tel);
  const auto first = engine.on_files_changed({tel});
  BOOST_TEST(first.events.empty());
  const auto due = settle(first.recheck);
  BOOST_REQUIRE_EQUAL(due.events.size(), 2u);
  BOOST_TEST(due.events[0].type == event_type::stage_completed);
  BOOST_TEST(due.events[1].type == event_type::pipeline_completed);
  BOOST_TEST(settle(first.recheck).events.empty());
}

// Files already old when first seen (written while the daemon was down, found by the start-up report or a
// rescan) are not delayed: their event goes out at once, with whatever record exists.
BOOST_FIXTURE_TEST_CASE(an_old_telemetry_file_found_later_is_not_held, fixture) {
  const std::string tel = kCommands + "spec-validate_2025-10-06T00:43:23Z-1080513534.json";
  copy_in(tel);
  fs::last_write_time(repo / tel, fs::file_time_type::clock::now() - std::chrono::minutes(10));
  const auto r = engine.on_files_changed({tel});
  BOOST_REQUIRE_EQUAL(r.events.size(), 1u);
  BOOST_TEST(r.recheck.empty());
  // And on a restart (a new engine on the same store), nothing is announced again.
  differ::engine again{db, repo};
  BOOST_TEST(again.on_files_changed({tel}).events.empty());
}
