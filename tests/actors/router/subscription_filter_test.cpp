#define BOOST_TEST_MODULE subscription_filter
#include "actors/router/subscription_filter.hpp"

#include <boost/test/unit_test.hpp>

using spec_notify::event;
namespace et = spec_notify::event_type;
using namespace spec_notify::router;

namespace {

event task_event(const std::string& spec, const std::string& task, const std::string& to) {
  event e;
  e.id = "evt_1";
  e.type = et::task_transitioned;
  e.spec_id = spec;
  e.task_id = task;
  e.from = "In Progress";
  e.to = to;
  return e;
}

event stage_event(const std::string& type, const std::string& spec) {
  event e;
  e.id = "evt_2";
  e.type = type;
  e.spec_id = spec;
  e.stage = "implement";
  e.status = "passed";
  return e;
}

const std::string spec75 = "SPEC-KIT-075-add-webhook-notification-system-for";

}  // namespace

BOOST_AUTO_TEST_CASE(glob_star_matches_any_run_including_empty) {
  BOOST_TEST(glob_match("*", ""));
  BOOST_TEST(glob_match("*", "anything"));
  BOOST_TEST(glob_match("SPEC-*", "SPEC-"));
  BOOST_TEST(glob_match("SPEC-*-075*", "SPEC-KIT-075-add"));
  BOOST_TEST(glob_match("a*b*c", "axxbyyc"));
  BOOST_TEST(!glob_match("a*b*c", "axxbyy"));
  BOOST_TEST(glob_match("**a", "a"));
}

BOOST_AUTO_TEST_CASE(glob_question_mark_matches_exactly_one_byte) {
  BOOST_TEST(glob_match("T?", "T6"));
  BOOST_TEST(!glob_match("T?", "T"));
  BOOST_TEST(!glob_match("T?", "T60"));
  BOOST_TEST(glob_match("T??", "T60"));
}

BOOST_AUTO_TEST_CASE(glob_is_case_sensitive_and_literal_otherwise) {
  BOOST_TEST(!glob_match("spec-*", "SPEC-KIT"));
  BOOST_TEST(glob_match("a.b[c]", "a.b[c]"));
  BOOST_TEST(!glob_match("a.b", "axb"));
  BOOST_TEST(!glob_match("", "x"));
  BOOST_TEST(glob_match("", ""));
}

BOOST_AUTO_TEST_CASE(glob_does_not_blow_up_on_pathological_patterns) {
  const std::string text(5000, 'a');
  BOOST_TEST(!glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
}

BOOST_AUTO_TEST_CASE(empty_filter_matches_every_event) {
  filter f;
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(matches(f, task_event("", "T1", "Backlog")));
  BOOST_TEST(matches(f, stage_event(et::stage_completed, "")));
  BOOST_TEST(matches(f, stage_event(et::pipeline_completed, spec75)));
}

BOOST_AUTO_TEST_CASE(event_type_must_be_listed_when_events_are_given) {
  filter f;
  f.events = {et::task_transitioned};
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(!matches(f, stage_event(et::stage_completed, spec75)));
  f.events = {et::stage_completed, et::pipeline_completed};
  BOOST_TEST(!matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(matches(f, stage_event(et::pipeline_completed, spec75)));
}

BOOST_AUTO_TEST_CASE(task_event_needs_a_listed_target_status) {
  filter f;
  f.statuses = {"Done", "In Review"};
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T1", "In Review")));
  BOOST_TEST(!matches(f, task_event(spec75, "T1", "In Progress")));
  BOOST_TEST(!matches(f, task_event(spec75, "T1", "")));
}

BOOST_AUTO_TEST_CASE(status_comparison_ignores_ascii_case) {
  filter f;
  f.statuses = {"done", "in review"};
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T1", "In Review")));
}

BOOST_AUTO_TEST_CASE(spec_glob_matches_full_id_or_short_key) {
  filter f;
  f.specs = {"SPEC-KIT-075*"};
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(matches(f, task_event("SPEC-KIT-075", "T1", "Done")));
  BOOST_TEST(!matches(f, task_event("SPEC-KIT-076-other", "T1", "Done")));

  f.specs = {"SPEC-KIT-075"};  // plain short key matches the long slug through its key
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(!matches(f, task_event("SPEC-KIT-0751-other", "T1", "Done")));

  f.specs = {spec75};  // plain full slug
  BOOST_TEST(matches(f, task_event(spec75, "T1", "Done")));
  BOOST_TEST(!matches(f, task_event("SPEC-KIT-075", "T1", "Done")));

  f.specs = {"SPEC-OPS-*", "SPEC-KIT-07?"};
  BOOST_TEST(matches(f, stage_event(et::stage_completed, "SPEC-OPS-004-hooks")));
  BOOST_TEST(matches(f, stage_event(et::stage_completed, spec75)));
  BOOST_TEST(!matches(f, stage_event(et::stage_completed, "SPEC-KIT-080-x")));
}

BOOST_AUTO_TEST_CASE(event_without_spec_matches_only_when_specs_is_empty) {
  filter f;
  BOOST_TEST(matches(f, task_event("", "T1", "Done")));
  f.specs = {"*"};
  BOOST_TEST(!matches(f, task_event("", "T1", "Done")));
  BOOST_TEST(!matches(f, stage_event(et::pipeline_completed, "")));
}

BOOST_AUTO_TEST_CASE(plain_task_pattern_is_a_prefix) {
  filter f;
  f.tasks = {"T6"};
  BOOST_TEST(matches(f, task_event(spec75, "T6", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T60", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T6-x", "Done")));
  BOOST_TEST(!matches(f, task_event(spec75, "T5", "Done")));
  BOOST_TEST(!matches(f, task_event(spec75, "XT6", "Done")));
}

BOOST_AUTO_TEST_CASE(globbed_task_pattern_matches_the_whole_id) {
  filter f;
  f.tasks = {"T6*"};
  BOOST_TEST(matches(f, task_event(spec75, "T6", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T60", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T6-x", "Done")));
  f.tasks = {"T?"};
  BOOST_TEST(matches(f, task_event(spec75, "T6", "Done")));
  BOOST_TEST(!matches(f, task_event(spec75, "T60", "Done")));
  f.tasks = {"#*", "T26-DEMO-?"};
  BOOST_TEST(matches(f, task_event(spec75, "#4", "Done")));
  BOOST_TEST(matches(f, task_event(spec75, "T26-DEMO-1", "Done")));
}

BOOST_AUTO_TEST_CASE(empty_task_pattern_matches_nothing) {
  filter f;
  f.tasks = {""};
  BOOST_TEST(!matches(f, task_event(spec75, "T6", "Done")));
}

BOOST_AUTO_TEST_CASE(stage_and_pipeline_events_ignore_statuses_and_tasks) {
  filter f;
  f.statuses = {"Done"};
  f.tasks = {"T6"};
  BOOST_TEST(matches(f, stage_event(et::stage_completed, spec75)));
  BOOST_TEST(matches(f, stage_event(et::pipeline_completed, spec75)));
  f.specs = {"SPEC-OPS-*"};
  BOOST_TEST(!matches(f, stage_event(et::stage_completed, spec75)));
}

BOOST_AUTO_TEST_CASE(all_filters_must_agree) {
  filter f;
  f.events = {et::task_transitioned};
  f.statuses = {"Done"};
  f.specs = {"SPEC-KIT-075*"};
  f.tasks = {"T6*"};
  BOOST_TEST(matches(f, task_event(spec75, "T63", "Done")));
  BOOST_TEST(!matches(f, task_event(spec75, "T53", "Done")));
  BOOST_TEST(!matches(f, task_event(spec75, "T63", "Blocked")));
  BOOST_TEST(!matches(f, task_event("SPEC-KIT-076-x", "T63", "Done")));
}

BOOST_AUTO_TEST_CASE(test_events_always_match_because_they_are_addressed_by_name) {
  filter f;
  f.events = {et::task_transitioned};
  f.statuses = {"Done"};
  f.specs = {"SPEC-OPS-*"};
  event e = task_event(spec75, "T1", "Backlog");
  e.type = et::test;
  BOOST_TEST(matches(f, e));
}

BOOST_AUTO_TEST_CASE(mismatch_reason_names_the_refusing_filter_with_its_patterns_and_the_value) {
  filter f{{et::task_transitioned}, {"Done"}, {"SPEC-KIT-075*"}, {"T6*"}};
  BOOST_TEST(mismatch_reason(f, task_event("SPEC-KIT-900-compose-demo", "T1", "Done")) ==
             "specs filter SPEC-KIT-075* does not match SPEC-KIT-900");
  BOOST_TEST(mismatch_reason(f, task_event(spec75, "T1", "Done")) == "tasks filter T6* does not match T1");
  BOOST_TEST(mismatch_reason(f, task_event(spec75, "T63", "In Review")) ==
             "statuses filter Done does not match In Review");
  BOOST_TEST(mismatch_reason(f, stage_event(et::stage_completed, spec75)) ==
             "events filter spec-kit.task.transitioned does not match spec-auto.stage.completed");
  filter two_specs{{}, {}, {"SPEC-KIT-075*", "SPEC-OPS-*"}, {}};
  BOOST_TEST(mismatch_reason(two_specs, task_event("", "T1", "Done")) ==
             "specs filter SPEC-KIT-075*, SPEC-OPS-* does not match an event without a SPEC");
}

BOOST_AUTO_TEST_CASE(mismatch_reason_is_empty_exactly_when_the_filter_matches) {
  std::vector<filter> filters = {{},
                                 {{et::task_transitioned}, {"Done"}, {"SPEC-KIT-075"}, {"T6"}},
                                 {{}, {"done", "In Review"}, {"SPEC-KIT-0??*"}, {"T6?"}}};
  std::vector<event> events = {task_event(spec75, "T63", "Done"),
                               task_event(spec75, "T7", "Done"),
                               task_event("SPEC-KIT-900-x", "T63", "In Review"),
                               task_event(spec75, "T63", "Blocked"),
                               stage_event(et::stage_completed, spec75),
                               stage_event(et::pipeline_completed, "")};
  for (const auto& f : filters)
    for (const auto& e : events) BOOST_TEST(mismatch_reason(f, e).empty() == matches(f, e));
}
