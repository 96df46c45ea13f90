#define BOOST_TEST_MODULE conflict_detection
// spec-auto.consensus.conflict (issue 17 item 5): which _synthesis.json files report a conflict, what the
// event carries (bounded), that each distinct conflict is announced exactly once (also across restarts and
// rewrites), and that hostile synthesis files give warnings naming the file, never a crash or an event.
// Own fixtures: tests/actors/differ/fixtures/conflict/, in the real Spec Kit format (the synthesis files of
// ../shared/fixtures, design/spec-kit-formats.md); the cases marked needs_shared_fixtures() read the real
// files themselves.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "actors/differ/engine.hpp"
#include "actors/differ/markdown.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/store/records.hpp"
#include "tests/support/shared_fixtures.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
namespace fs = std::filesystem;
using differ::read_status;

namespace {

const fs::path kOwn = fs::path(SPEC_NOTIFY_TEST_DIR) / "actors/differ/fixtures/conflict/evidence";
const std::string kEvidence = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/";
const std::string kFolder = "SPEC-KIT-920-conflict-fixtures";
const std::string kConsensus = kEvidence + "consensus/" + kFolder + "/";
const std::string kCommands = kEvidence + "commands/" + kFolder + "/";
const std::string kPlan = kConsensus + "spec-plan_2025-11-01T10:00:00Z_synthesis.json";
const std::string kTasks = kConsensus + "spec-tasks_2025-11-01T11:00:00Z_synthesis.json";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::string> strings(const Poco::JSON::Array::Ptr& a) {
  std::vector<std::string> out;
  for (size_t i = 0; a && i < a->size(); ++i)
    out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
  return out;
}

size_t problems_mentioning(const differ::engine_result& r, const std::string& what) {
  size_t n = 0;
  for (const auto& p : r.problems) n += p.find(what) != std::string::npos;
  return n;
}

std::vector<event> conflicts(const differ::engine_result& r) {
  std::vector<event> out;
  for (const auto& e : r.events)
    if (e.type == event_type::consensus_conflict) out.push_back(e);
  return out;
}

// A repo with the own fixtures copied in, a real store and an engine whose baseline is recorded (empty).
struct fixture : testing::temp_store {
  fs::path repo = dir / "repo";
  std::unique_ptr<differ::engine> core;
  fixture() {
    fs::create_directories(repo);
    restart();
    core->on_files_changed({});
    BOOST_REQUIRE(core->baseline_done());
  }
  // A restart: the store closed and opened again, a new engine over it.
  void restart(differ::differ_limits limits = {}) {
    core.reset();
    reopen();
    core = std::make_unique<differ::engine>(db, repo, limits);
  }
  // Copies a fixture file (path relative to kOwn) to its place in the repo; returns its repo path.
  std::string copy(const std::string& own_rel) {
    const std::string rel = kEvidence + own_rel;
    dir.save("repo/" + rel, read_file(kOwn / own_rel));
    return rel;
  }
  void save(const std::string& rel, const std::string& text) { dir.save("repo/" + rel, text); }
  differ::engine_result offer(const std::vector<std::string>& paths) { return core->on_files_changed(paths); }
};

std::string synthesis(const std::string& status, const std::string& conflicts_json,
                      const std::string& extra = "") {
  return R"({"stage": "spec-plan", "status": )" + status +
         R"(, "consensus": {"agreements": [], "conflicts": )" + conflicts_json + "}" + extra + "}";
}

}  // namespace

// ---- Which files are conflicts ----

BOOST_AUTO_TEST_CASE(own_fixtures_classify_by_status_and_conflicts_list) {
  // file -> {status of the read, conflict?}
  const std::map<std::string, std::pair<read_status, bool>> expected{
      {"spec-plan_2025-11-01T10:00:00Z_synthesis.json", {read_status::ok, true}},        // status conflict
      {"spec-tasks_2025-11-01T11:00:00Z_synthesis.json", {read_status::ok, true}},       // ok + conflicts[]
      {"spec-implement_2025-11-01T12:00:00Z_synthesis.json", {read_status::ok, false}},  // conflicts_resolved
      {"spec-validate_synthesis.json", {read_status::ok, false}},                        // degraded
      {"spec-unlock_2025-11-01T14:00:00Z_synthesis.json", {read_status::ok, true}},      // "Disagreement"
      {"spec-audit_2025-11-01T13:00:00Z_synthesis.json", {read_status::skipped, false}},  // template
  };
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(kOwn / "consensus" / kFolder)) {
    const std::string name = entry.path().filename().string();
    BOOST_TEST_CONTEXT(name) {
      const auto it = expected.find(name);
      BOOST_REQUIRE_MESSAGE(it != expected.end(), "fixture without an expectation");
      const auto r = differ::read_consensus_conflict(read_file(entry.path()), kConsensus + name);
      BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(it->second.first), r.reason);
      BOOST_TEST(r.conflict == it->second.second);
      BOOST_TEST(r.warnings.empty());
      ++seen;
    }
  }
  BOOST_TEST(seen == expected.size());
}

BOOST_AUTO_TEST_CASE(a_conflict_carries_stage_status_points_agents_and_pointer) {
  const auto r = differ::read_consensus_conflict(
      read_file(kOwn / "consensus" / kFolder / "spec-plan_2025-11-01T10:00:00Z_synthesis.json"), kPlan);
  BOOST_REQUIRE((r.status == read_status::ok));
  BOOST_TEST(r.value.stage == "plan");
  BOOST_TEST(r.value.status == "conflict");
  BOOST_TEST(r.value.points ==
                 (std::vector<std::string>{
                     "Gemini wants the retry queue in LevelDB; Claude wants it in memory with a journal",
                     "Whether tasks.md is rewritten now or during /tasks"}),
             boost::test_tools::per_element());
  BOOST_TEST(r.value.total_points == 2u);
  BOOST_TEST(!r.value.points_truncated);
  BOOST_TEST(r.value.agents == (std::vector<std::string>{"gemini", "claude", "gpt_pro"}),
             boost::test_tools::per_element());
  BOOST_TEST(r.value.telemetry.find("/home/dev/code/docs/") == 0u);
  BOOST_TEST(r.value.digest.size() == 64u);
  // Object entries: their issue text; agents given as objects: their agent names.
  const auto t = differ::read_consensus_conflict(
      read_file(kOwn / "consensus" / kFolder / "spec-tasks_2025-11-01T11:00:00Z_synthesis.json"), kTasks);
  BOOST_TEST(t.value.points == (std::vector<std::string>{"Split T12 into two tasks"}),
             boost::test_tools::per_element());
  BOOST_TEST(t.value.agents == (std::vector<std::string>{"gemini", "gpt_pro"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(status_is_matched_case_insensitively_and_other_values_are_not_conflicts) {
  for (const char* status : {"\"conflict\"", "\"CONFLICT\"", "\" Conflicted \"", "\"disagreement\""})
    BOOST_TEST(differ::read_consensus_conflict(synthesis(status, "[]"), kPlan).conflict, status);
  for (const char* status : {"\"ok\"", "\"degraded\"", "\"conflict resolved\"", "\"\"", "null"})
    BOOST_TEST(!differ::read_consensus_conflict(synthesis(status, "[]"), kPlan).conflict, status);
  // No status at all (read_consensus skips it as context) but conflicts listed: a conflict.
  BOOST_TEST(
      differ::read_consensus_conflict(R"({"stage":"spec-plan","consensus":{"conflicts":["x"]}})", kPlan)
          .conflict);
  // Only nulls listed: nothing to show, not a conflict.
  BOOST_TEST(!differ::read_consensus_conflict(synthesis("\"ok\"", "[null, null]"), kPlan).conflict);
}

BOOST_AUTO_TEST_CASE(points_and_agents_are_bounded_on_utf8_boundaries) {
  // 25 points of 600 bytes, each made of 2-byte characters after one ASCII byte, so a cut at 500 bytes falls
  // inside a character and must step back to 499.
  std::string points = "[";
  for (int i = 0; i < 25; ++i) {
    std::string p = "x";
    while (p.size() < 600) p += "\xC3\xA9";  // é
    points += (i ? "," : "") + std::string("\"") + p + "\"";
  }
  points += "]";
  std::string agents = R"(, "agents": [)";
  for (int i = 0; i < 20; ++i) agents += (i ? "," : "") + std::string("\"agent-") + std::to_string(i) + "\"";
  agents += "]";
  const auto r = differ::read_consensus_conflict(synthesis("\"conflict\"", points, agents), kPlan);
  BOOST_REQUIRE((r.status == read_status::ok));
  BOOST_TEST(r.value.total_points == 25u);
  BOOST_TEST(r.value.points.size() == differ::kMaxConflictPoints);
  BOOST_TEST(r.value.points_truncated);
  for (const auto& p : r.value.points) {
    BOOST_TEST(p.size() <= differ::kMaxConflictPointBytes);
    BOOST_TEST(p.size() == 499u);
    BOOST_TEST(differ::markdown::valid_utf8(p) == p);
  }
  BOOST_TEST(r.value.agents.size() == differ::kMaxConflictAgents);
  BOOST_TEST(r.value.agents_truncated);
  // One long point alone is cut and flagged too.
  const auto one =
      differ::read_consensus_conflict(synthesis("\"ok\"", "[\"" + std::string(2000, 'a') + "\"]"), kPlan);
  BOOST_TEST(one.value.points.at(0).size() == differ::kMaxConflictPointBytes);
  BOOST_TEST(one.value.points_truncated);
}

BOOST_AUTO_TEST_CASE(digest_follows_the_conflict_not_the_formatting_or_agreements) {
  const auto a = differ::read_consensus_conflict(synthesis("\"conflict\"", R"(["p1","p2"])"), kPlan);
  const auto reformatted = differ::read_consensus_conflict(
      "{\n  \"consensus\": {\"conflicts\": [\"p1\", \"p2\"], \"agreements\": [\"new\"]},\n  \"status\": "
      "\"Conflict\",\n  \"stage\": \"spec-plan\"\n}\n",
      kPlan);
  BOOST_TEST(a.value.digest == reformatted.value.digest);
  const auto other = differ::read_consensus_conflict(synthesis("\"conflict\"", R"(["p1","p3"])"), kPlan);
  BOOST_TEST(a.value.digest != other.value.digest);
  const auto split = differ::read_consensus_conflict(synthesis("\"conflict\"", R"(["p1p","2"])"), kPlan);
  BOOST_TEST(a.value.digest != split.value.digest);
  // A difference past the bounds is still another conflict.
  std::string many = "[", many2 = "[";
  for (int i = 0; i < 30; ++i) {
    many += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\"";
    many2 += (i ? "," : "") + std::string("\"p") + std::to_string(i == 29 ? 99 : i) + "\"";
  }
  many += "]";
  many2 += "]";
  BOOST_TEST(differ::read_consensus_conflict(synthesis("\"ok\"", many), kPlan).value.digest !=
             differ::read_consensus_conflict(synthesis("\"ok\"", many2), kPlan).value.digest);
}

BOOST_AUTO_TEST_CASE(wrong_types_give_warnings_naming_the_file_and_never_throw) {
  struct input {
    std::string text, warning;
  };
  const std::vector<input> inputs{
      {synthesis("\"ok\"", "\"none\""), "consensus.conflicts is \"none\", not an array"},
      {synthesis("\"ok\"", "{\"a\": 1}"), "consensus.conflicts is an object, not an array"},
      {synthesis("5", "[]"), "status is 5, not a string"},
      {synthesis("\"ok\"", "[]", R"(, "agents": "gemini")"), "agents is \"gemini\", not an array"},
      {synthesis("\"ok\"", "[]", R"(, "telemetry": ["x"])"), "telemetry is an array, not a string"},
      {R"({"stage": "spec-plan", "status": "ok", "consensus": [1]})", "consensus is an array, not an object"},
  };
  for (const auto& in : inputs) {
    BOOST_TEST_CONTEXT(in.text) {
      differ::conflict_read r;
      BOOST_REQUIRE_NO_THROW(r = differ::read_consensus_conflict(in.text, kPlan));
      BOOST_TEST(!r.conflict);
      BOOST_REQUIRE_EQUAL(r.warnings.size(), 1u);
      BOOST_TEST(r.warnings[0].find(kPlan + ": " + in.warning) == 0u, r.warnings[0]);
    }
  }
  // Not JSON, not an object, nesting bombs, odd entries: an error or skip naming the file.
  const std::vector<std::string> broken{"{\"stage\": \"spec-plan\", \"sta",
                                        "[1,2]",
                                        std::string(100000, '['),
                                        "\xFF\xFE",
                                        "   ",
                                        R"({"status": "conflict", "consensus": {"conflicts": ["\ud800"]}})"};
  for (const auto& text : broken) {
    differ::conflict_read r;
    BOOST_REQUIRE_NO_THROW(r = differ::read_consensus_conflict(text, kPlan));
    BOOST_TEST((r.status != read_status::ok));
    BOOST_TEST(r.reason.find(kPlan + ": ") == 0u, r.reason);
  }
  const auto odd = differ::read_consensus_conflict(
      synthesis("\"ok\"", R"([1, true, [2], {"positions": {}}, "\u0000ctl", "caf\u00e9"])",
                R"(, "agents": [1, null, {"model": "x"}, {"name": "n"}])"),
      kPlan);
  BOOST_REQUIRE_MESSAGE((odd.status == read_status::ok), odd.reason);
  BOOST_TEST(odd.conflict);
  BOOST_TEST(odd.value.total_points == 6u);
  for (const auto& p : odd.value.points) BOOST_TEST(differ::markdown::valid_utf8(p) == p);
  BOOST_TEST(odd.value.agents == (std::vector<std::string>{"n"}), boost::test_tools::per_element());
}

// ---- The engine: events, dedupe, restarts ----

BOOST_FIXTURE_TEST_CASE(one_event_per_conflict_with_its_payload_context, fixture) {
  const std::string telemetry = copy("commands/" + kFolder + "/spec-plan_2025-11-01T09:55:00Z-101.json");
  const std::string plan = copy("consensus/" + kFolder + "/spec-plan_2025-11-01T10:00:00Z_synthesis.json");
  auto r = offer({plan});
  BOOST_TEST(r.problems.empty());
  const auto got = conflicts(r);
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  const event& e = got[0];
  BOOST_TEST(e.spec_id == kFolder);
  BOOST_TEST(e.stage == "plan");
  BOOST_TEST(e.status == "conflict");
  BOOST_TEST(e.source == plan);
  BOOST_TEST(e.id.rfind("evt_", 0) == 0u);
  // Persisted under evt/ like every event, and decoded back whole.
  std::string stored;
  BOOST_REQUIRE(db->get(store::event_key(e.id), stored));
  event back;
  BOOST_REQUIRE(store::decode(stored, back));
  BOOST_TEST(back.type == event_type::consensus_conflict);
  BOOST_TEST((back.context == e.context));

  // Each part of the context is one JSON object (or null) as the payload will carry it.
  const auto c = parse(e.context.consensus);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->getValue<std::string>("status") == "conflict");
  BOOST_TEST(c->getValue<std::string>("stage") == "plan");
  BOOST_TEST(c->getValue<std::string>("path") == plan);
  BOOST_TEST(c->getValue<int>("agreements") == 1);
  BOOST_TEST(c->getValue<int>("conflicts") == 2);
  BOOST_TEST(strings(c->getArray("conflict_points")).size() == 2u);
  BOOST_TEST(!c->getValue<bool>("conflicts_truncated"));
  BOOST_TEST(strings(c->getArray("agents")) == (std::vector<std::string>{"gemini", "claude", "gpt_pro"}),
             boost::test_tools::per_element());
  BOOST_TEST(c->getValue<std::string>("telemetry").find("/home/dev/code/") == 0u);
  // The absolute pointer of another checkout resolves to this repo's telemetry file.
  const auto t = parse(e.context.telemetry);
  BOOST_REQUIRE(t);
  BOOST_TEST(t->getValue<std::string>("path") == telemetry);
  BOOST_TEST(t->getValue<std::string>("command") == "spec-ops-plan");
  BOOST_TEST(e.context.evidence == (std::vector<std::string>{plan, telemetry}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(only_conflicts_emit_and_the_template_is_skipped_quietly, fixture) {
  std::vector<std::string> all;
  for (const auto& entry : fs::directory_iterator(kOwn / "consensus" / kFolder))
    all.push_back(copy("consensus/" + kFolder + "/" + entry.path().filename().string()));
  auto r = offer(all);
  BOOST_TEST(r.problems.empty());
  std::map<std::string, std::string> by_source;
  for (const auto& e : conflicts(r)) by_source[e.source] = e.stage;
  BOOST_TEST(r.events.size() == 3u);
  BOOST_TEST(by_source == (std::map<std::string, std::string>{
                              {kPlan, "plan"},
                              {kTasks, "tasks"},
                              {kConsensus + "spec-unlock_2025-11-01T14:00:00Z_synthesis.json", "unlock"}}));
  // A pointer to a telemetry file that does not exist: the pointer is kept, the telemetry object is null.
  for (const auto& e : conflicts(r)) {
    if (e.source != kTasks) continue;
    BOOST_TEST(e.context.telemetry == "null");
    BOOST_TEST(parse(e.context.consensus)->getValue<std::string>("telemetry").find("docs/") == 0u);
  }
}

BOOST_FIXTURE_TEST_CASE(rewrites_rereads_and_restarts_do_not_announce_it_again, fixture) {
  const std::string plan = copy("consensus/" + kFolder + "/spec-plan_2025-11-01T10:00:00Z_synthesis.json");
  BOOST_REQUIRE_EQUAL(conflicts(offer({plan})).size(), 1u);
  BOOST_TEST(conflicts(offer({plan})).empty());  // offered again (rescan, recheck)
  // Rewritten with the same conflict, formatted otherwise and with a new agreement.
  const std::string same =
      R"({"status":"CONFLICT","stage":"spec-plan","telemetry":"/home/dev/code/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-920-conflict-fixtures/spec-plan_2025-11-01T09:55:00Z-101.json","consensus":{"agreements":["a","b"],"conflicts":["Gemini wants the retry queue in LevelDB; Claude wants it in memory with a journal","Whether tasks.md is rewritten now or during /tasks"]}})";
  save(plan, same);
  BOOST_TEST(conflicts(offer({plan})).empty());
  restart();
  BOOST_TEST(conflicts(offer({plan})).empty());  // the watcher's first report after a restart
  // Rewritten with another conflict (a new run writing the same file): announced once more.
  save(plan, synthesis("\"conflict\"", R"(["a new disagreement"])"));
  BOOST_TEST(conflicts(offer({plan})).size() == 1u);
  BOOST_TEST(conflicts(offer({plan})).empty());
  // Back to an earlier conflict: already announced.
  save(plan, same);
  BOOST_TEST(conflicts(offer({plan})).empty());
  // Resolved: nothing.
  save(plan, synthesis("\"ok\"", "[]"));
  BOOST_TEST(conflicts(offer({plan})).empty());
}

BOOST_FIXTURE_TEST_CASE(a_conflict_written_while_down_is_announced_at_the_next_start, fixture) {
  core.reset();
  const std::string plan = copy("consensus/" + kFolder + "/spec-plan_2025-11-01T10:00:00Z_synthesis.json");
  restart();
  BOOST_TEST(conflicts(offer({plan})).size() == 1u);
  restart();
  BOOST_TEST(conflicts(offer({plan})).empty());
}

BOOST_AUTO_TEST_CASE(conflicts_present_at_the_baseline_are_recorded_without_events) {
  testing::temp_store s;
  const fs::path repo = s.dir / "repo";
  s.dir.save("repo/" + kPlan,
             read_file(kOwn / "consensus" / kFolder / "spec-plan_2025-11-01T10:00:00Z_synthesis.json"));
  {
    differ::engine first(s.db, repo);
    BOOST_TEST(first.on_files_changed({kPlan}).events.empty());
    BOOST_TEST(first.baseline_done());
  }
  s.reopen();
  differ::engine second(s.db, repo);
  BOOST_TEST(second.on_files_changed({kPlan}).events.empty());
}

BOOST_FIXTURE_TEST_CASE(a_conflict_over_the_event_cap_waits_for_a_later_pass, fixture) {
  differ::differ_limits limits;
  limits.max_events_per_diff = 1;
  restart(limits);
  const std::string plan = copy("consensus/" + kFolder + "/spec-plan_2025-11-01T10:00:00Z_synthesis.json");
  const std::string tasks = copy("consensus/" + kFolder + "/spec-tasks_2025-11-01T11:00:00Z_synthesis.json");
  auto r = offer({plan, tasks});
  BOOST_REQUIRE_EQUAL(conflicts(r).size(), 1u);
  BOOST_REQUIRE_EQUAL(r.recheck.size(), 1u);
  BOOST_TEST(problems_mentioning(r, "max_events_per_diff") == 1u);
  const std::string later = r.recheck[0];
  BOOST_TEST(later != conflicts(r)[0].source);
  auto again = offer({later});
  BOOST_REQUIRE_EQUAL(conflicts(again).size(), 1u);
  BOOST_TEST(conflicts(again)[0].source == later);
}

BOOST_FIXTURE_TEST_CASE(hostile_synthesis_files_give_warnings_naming_them, fixture) {
  differ::differ_limits limits;
  limits.max_file_bytes = 64 * 1024;
  restart(limits);
  // Outside the repo through a symlink.
  dir.save("outside/secret_synthesis.json", synthesis("\"conflict\"", R"(["secret"])"));
  const std::string linked = kConsensus + "spec-plan_2025-11-02T00:00:00Z_synthesis.json";
  fs::create_directories((repo / linked).parent_path());
  fs::create_symlink(dir / "outside/secret_synthesis.json", repo / linked);
  // Over the size cap.
  const std::string huge = kConsensus + "spec-tasks_2025-11-02T00:00:00Z_synthesis.json";
  save(huge, synthesis("\"conflict\"", "[\"" + std::string(100 * 1024, 'x') + "\"]"));
  // Not JSON (half written), wrong types.
  const std::string broken = kConsensus + "spec-implement_2025-11-02T00:00:00Z_synthesis.json";
  save(broken, R"({"stage": "spec-implement", "status": "conf)");
  const std::string typed = kConsensus + "spec-validate_2025-11-02T00:00:00Z_synthesis.json";
  save(typed, synthesis("\"ok\"", "42", R"(, "agents": {"a": 1})"));
  // A pointer that tries to leave the evidence tree: no telemetry read, still one event.
  dir.save("outside/commands/x/spec-plan_1-1.json", R"({"schemaVersion":1,"command":"spec-ops-plan"})");
  const std::string escaping = kConsensus + "spec-audit_2025-11-02T00:00:00Z_synthesis.json";
  save(escaping, synthesis("\"conflict\"", R"(["p"])",
                           R"(, "telemetry": "../../../../../outside/commands/x/spec-plan_1-1.json")"));
  differ::engine_result r;
  BOOST_REQUIRE_NO_THROW(r = offer({linked, huge, broken, typed, escaping}));
  for (const auto& rel : {linked, huge, broken, typed}) BOOST_TEST(problems_mentioning(r, rel) >= 1u, rel);
  BOOST_TEST(problems_mentioning(r, typed + ": consensus.conflicts is 42, not an array") == 1u);
  BOOST_TEST(problems_mentioning(r, typed + ": agents is an object, not an array") == 1u);
  const auto got = conflicts(r);
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_TEST(got[0].source == escaping);
  BOOST_TEST(got[0].context.telemetry == "null");
  // The half-written file was not marked seen: completed, it is announced.
  save(broken, synthesis("\"conflict\"", R"(["done writing"])"));
  BOOST_TEST(conflicts(offer({broken})).size() == 1u);
}

// ---- The real Spec Kit synthesis files (../shared/fixtures) ----

BOOST_AUTO_TEST_CASE(real_synthesis_files_report_no_conflict, spec_notify::testing::needs_shared_fixtures()) {
  // Every real synthesis: the SPEC-KIT-025 one is the unfilled template (skipped), the SPEC-KIT-045-mini plan
  // one is status ok with conflicts_resolved only. Neither is a conflict; a new real file must be classified
  // here before it passes.
  const std::map<std::string, std::pair<read_status, bool>> expected{
      {"SPEC-KIT-025-add-automated-conflict-resolution-with/"
       "spec-implement_2025-10-06T00:36:46Z_synthesis.json",
       {read_status::skipped, false}},
      {"SPEC-KIT-045-mini/spec-plan_synthesis.json", {read_status::ok, false}},
  };
  const fs::path root = testing::shared_fixtures_dir() / kEvidence / "consensus";
  size_t seen = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    if (!entry.is_regular_file() || rel.size() < 15 || rel.substr(rel.size() - 15) != "_synthesis.json")
      continue;
    BOOST_TEST_CONTEXT(rel) {
      const auto it = expected.find(rel);
      BOOST_REQUIRE_MESSAGE(it != expected.end(), "a real synthesis without an expectation");
      const auto r = differ::read_consensus_conflict(read_file(entry.path()), kEvidence + "consensus/" + rel);
      BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(it->second.first), r.reason);
      BOOST_TEST(r.conflict == it->second.second);
      BOOST_TEST(r.warnings.empty());
      ++seen;
    }
  }
  BOOST_TEST(seen == expected.size());
}

BOOST_AUTO_TEST_CASE(real_evidence_tree_gives_no_conflict_event,
                     spec_notify::testing::needs_shared_fixtures()) {
  // The whole real evidence tree through the engine after a baseline: stage events may come, conflicts not.
  testing::temp_store s;
  const fs::path repo = testing::shared_fixtures_dir();
  differ::engine core(s.db, repo);
  core.on_files_changed({});
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(repo / kEvidence))
    if (entry.is_regular_file()) paths.push_back(fs::relative(entry.path(), repo).generic_string());
  BOOST_REQUIRE(!paths.empty());
  const auto r = core.on_files_changed(paths);
  BOOST_TEST(conflicts(r).empty());
  for (const auto& p : r.problems) BOOST_TEST(p.find("_synthesis.json") == std::string::npos, p);
}
