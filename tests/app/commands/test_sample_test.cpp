#define BOOST_TEST_MODULE test_sample
#include "app/commands/test_sample.hpp"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>

#include "actors/router/payload.hpp"

namespace fs = std::filesystem;
using namespace spec_notify;
using namespace spec_notify::app;

namespace {

struct repo_fixture {
  fs::path repo;
  repo_fixture() {
    std::random_device rd;
    repo = fs::temp_directory_path() /
           ("test_sample_test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    write("docs/SPEC-KIT-075-webhooks/tasks.md",
          "# Tasks\n\n| Task ID | Title | Status |\n|---|---|---|\n| T1 | First | Done |\n| T2 | Second | "
          "**DONE** |\n"
          "| T3 | Third | In Progress |\n");
    write("docs/SPEC-KIT-080-empty/tasks.md", "# No table yet\n");
    write("SPEC.md",
          "| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | "
          "Notes |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|\n"
          "| 1 | T9 | Other spec | Backlog | Code | docs/SPEC-OPS-004-hooks/PRD.md |  |  |  |  |  |\n");
  }
  ~repo_fixture() {
    std::error_code ec;
    fs::remove_all(repo, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((repo / rel).parent_path());
    std::ofstream(repo / rel, std::ios::binary) << text;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(scan_specs_knows_tasks_md_folders_and_spec_md_rows, repo_fixture) {
  auto cat = scan_specs(repo);
  std::vector<std::string> want{"SPEC-KIT-075-webhooks", "SPEC-KIT-080-empty", "SPEC-OPS-004-hooks"};
  BOOST_TEST(cat.spec_ids == want, boost::test_tools::per_element());
  BOOST_TEST(cat.problems.empty());
}

BOOST_FIXTURE_TEST_CASE(match_spec_accepts_the_full_id_or_the_short_key_in_any_case, repo_fixture) {
  auto cat = scan_specs(repo);
  BOOST_TEST(match_spec(cat, "SPEC-KIT-075-webhooks") == std::vector<std::string>{"SPEC-KIT-075-webhooks"});
  BOOST_TEST(match_spec(cat, "SPEC-KIT-075") == std::vector<std::string>{"SPEC-KIT-075-webhooks"});
  BOOST_TEST(match_spec(cat, "spec-ops-004") == std::vector<std::string>{"SPEC-OPS-004-hooks"});
  BOOST_TEST(match_spec(cat, "SPEC-KIT-999").empty());
}

BOOST_FIXTURE_TEST_CASE(pick_task_prefers_the_last_done_row_then_the_first_row, repo_fixture) {
  auto cat = scan_specs(repo);
  auto* t = pick_task(cat, "SPEC-KIT-075-webhooks");
  BOOST_REQUIRE(t);
  BOOST_TEST(t->row.id == "T2");
  BOOST_TEST(t->source == "docs/SPEC-KIT-075-webhooks/tasks.md");
  auto* other = pick_task(cat, "SPEC-OPS-004-hooks");
  BOOST_REQUIRE(other);
  BOOST_TEST(other->row.id == "T9");
  BOOST_TEST(!pick_task(cat, "SPEC-KIT-080-empty"));
}

BOOST_FIXTURE_TEST_CASE(read_spec_context_picks_the_latest_telemetry_and_consensus, repo_fixture) {
  const std::string ev = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence";
  auto telemetry = [](const std::string& ts, const std::string& status) {
    return "{\"schemaVersion\":1,\"command\":\"spec-ops-tasks\",\"specId\":\"SPEC-KIT-075\",\"sessionId\":"
           "\"s-" +
           ts + "\",\"timestamp\":\"" + ts + "\",\"tool\":{\"status\":\"" + status + "\"},\"artifacts\":[]}";
  };
  write(ev + "/commands/SPEC-KIT-075/spec-tasks_a.json", telemetry("2025-10-04T14:00:00Z", "failed"));
  write(ev + "/commands/SPEC-KIT-075/spec-tasks_b.json", telemetry("2025-10-05T09:00:00Z", "passed"));
  write(ev + "/commands/SPEC-KIT-075/notes.log", "not telemetry");
  write(ev + "/consensus/SPEC-KIT-075-webhooks/spec-tasks_2025_synthesis.json",
        "{\"stage\":\"spec-tasks\",\"status\":\"ok\",\"consensus\":{\"agreements\":[\"a\",\"b\"],"
        "\"conflicts\":[]}}");
  const auto ctx = read_spec_context(repo, repo / ev, "SPEC-KIT-075-webhooks");
  const std::string& t = ctx.telemetry;
  BOOST_TEST(t.find("\"timestamp\":\"2025-10-05T09:00:00Z\"") != std::string::npos, t);
  BOOST_TEST(t.find("\"status\":\"passed\"") != std::string::npos, t);
  BOOST_TEST(t.find("\"path\":\"" + ev + "/commands/SPEC-KIT-075/spec-tasks_b.json\"") != std::string::npos,
             t);
  BOOST_TEST(ctx.consensus.find("{\"status\":\"ok\",\"agreements\":2,\"conflicts\":0") == 0u, ctx.consensus);
  BOOST_TEST(ctx.evidence.size() == 3u);
  BOOST_TEST((read_spec_context(repo, repo / ev, "SPEC-KIT-080-empty") == event_context{}));
}

BOOST_FIXTURE_TEST_CASE(make_test_event_renders_a_task_shaped_test_payload, repo_fixture) {
  auto cat = scan_specs(repo);
  auto e = make_test_event("SPEC-KIT-075-webhooks", pick_task(cat, "SPEC-KIT-075-webhooks"), event_context{},
                           1795568523456);
  auto body = router::render_payload(e, "msg_x", 1, "T1");
  BOOST_TEST(body.find("\"type\":\"spec-notify.test\"") != std::string::npos, body);
  BOOST_TEST(body.find("\"spec\":{\"id\":\"SPEC-KIT-075-webhooks\",\"key\":\"SPEC-KIT-075\"}") !=
             std::string::npos);
  BOOST_TEST(
      body.find("\"task\":{\"id\":\"T2\",\"title\":\"Second\",\"from\":null,\"to\":\"Done\",\"raw_status\":"
                "\"**DONE**\",\"source\":\"docs/SPEC-KIT-075-webhooks/tasks.md\",\"line\":6}") !=
          std::string::npos,
      body);
  auto stage =
      router::render_payload(make_test_event("SPEC-KIT-080-empty", nullptr, {}, 0), "msg_y", 1, "T1");
  BOOST_TEST(stage.find("\"stage\":\"test\",\"status\":\"ok\"") != std::string::npos, stage);
}
