#define BOOST_TEST_MODULE fan_out
#include "actors/router/fan_out.hpp"

#include <boost/test/unit_test.hpp>
#include <map>
#include <set>

#include "actors/router/ordering.hpp"
#include "actors/store/records.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;

namespace {

event make_event(int i, const std::string& status = "Done") {
  event e;
  e.id = "evt_" + std::to_string(100000 + i);
  e.type = "spec-kit.task.transitioned";
  e.occurred_at_ms = 1700000000000 + i;
  e.spec_id = "SPEC-KIT-900";
  e.task_id = "T" + std::to_string(i);
  e.task_title = "task " + std::to_string(i);
  e.from = "In Progress";
  e.to = status;
  e.status = status;
  e.raw_status = status;
  e.source = "docs/SPEC-KIT-900/tasks.md";
  e.line = i + 3;
  return e;
}

config::subscription_settings subscription(const std::string& name) {
  config::subscription_settings s;
  s.name = name;
  s.url = "http://127.0.0.1:9/hook";
  return s;
}

// Counts the chunks written and fails the one numbered `fail_at` (1-based; 0 = never).
class counting_fan_out : public router::fan_out {
 public:
  counting_fan_out(store::db_ptr db, const std::vector<config::subscription_settings>& subs,
                   router::chunk_limits limits, int fail_at = 0)
      : fan_out(std::move(db), subs, limits), fail_at_(fail_at) {}
  int chunks = 0;
  std::vector<size_t> chunk_sizes;

 protected:
  status commit(spool::changes chunk) override {
    if (++chunks == fail_at_) return status::failure("IO error: simulated full disk");
    chunk_sizes.push_back(chunk.size());
    return fan_out::commit(std::move(chunk));
  }

 private:
  int fail_at_;
};

struct fixture : testing::temp_store {
  // The differ's write: evt/ records for `events`.
  void persist_events(const std::vector<event>& events) {
    store::batch b;
    for (const auto& e : events) b.put(store::event_key(e.id), store::encode(e));
    BOOST_REQUIRE(db->write(b).ok());
  }
  std::set<std::string> keys(const std::string& prefix) const {
    std::set<std::string> out;
    db->scan(prefix, [&](const std::string& k, const std::string&) {
      out.insert(k);
      return true;
    });
    return out;
  }
};

std::vector<event> make_events(int n) {
  std::vector<event> events;
  for (int i = 0; i < n; ++i) events.push_back(make_event(i));
  return events;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_large_route_is_written_in_chunks_of_whole_events, fixture) {
  auto events = make_events(2500);
  persist_events(events);
  counting_fan_out f(db, {subscription("a"), subscription("b")}, router::chunk_limits{1000, size_t(1) << 30});
  router::routed out;
  BOOST_REQUIRE_MESSAGE(f.route(events, out).ok(), "route failed");
  // 2 deliveries per event: a chunk closes after the event that reaches 1000 deliveries (500 events).
  BOOST_TEST(f.chunks == 5);
  // 1000 dlv/ puts + 1000 seq/ puts (one per delivery: each task is its own key) + 500 evt/ deletes
  for (size_t ops : f.chunk_sizes) BOOST_TEST(ops == 2500u);
  BOOST_TEST(out["a"].size() == 2500u);
  BOOST_TEST(out["b"].size() == 2500u);
  BOOST_TEST(keys("evt/").empty());
  BOOST_TEST(keys("dlv/").size() == 5000u);
  // Filed under their subscription, so each deliverer scans only its own (dlv/<name>/<id>).
  BOOST_TEST(keys(store::pending_keys.range("a")).size() == 2500u);
  BOOST_TEST(keys("dlv/b/").count("dlv/b/" + out["b"].front().id) == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_byte_limit_also_closes_a_chunk, fixture) {
  auto events = make_events(50);
  persist_events(events);
  counting_fan_out f(db, {subscription("a")}, router::chunk_limits{1000, 4096});
  router::routed out;
  BOOST_REQUIRE(f.route(events, out).ok());
  BOOST_TEST(f.chunks > 1);
  BOOST_TEST(out["a"].size() == 50u);
  BOOST_TEST(keys("evt/").empty());
}

BOOST_FIXTURE_TEST_CASE(a_failed_chunk_keeps_its_events_and_the_later_ones, fixture) {
  auto events = make_events(2500);
  persist_events(events);
  counting_fan_out f(db, {subscription("a")}, router::chunk_limits{1000, size_t(1) << 30}, 2);
  router::routed out;
  const auto routed_ok = f.route(events, out);
  BOOST_TEST(!routed_ok);
  BOOST_TEST(routed_ok.message().find("simulated full disk") != std::string::npos);
  // Chunk 1 (events 0..999) is durable and handed out; chunks 2.. were never written.
  BOOST_TEST(out["a"].size() == 1000u);
  BOOST_TEST(keys("dlv/").size() == 1000u);
  auto left = keys("evt/");
  BOOST_TEST(left.size() == 1500u);
  for (int i = 0; i < 1000; ++i) BOOST_TEST(!left.count(store::event_key(events[i].id)));
  for (int i = 1000; i < 2500; ++i) BOOST_TEST(left.count(store::event_key(events[i].id)) == 1u);
  for (const auto& d : out["a"]) BOOST_TEST(keys("dlv/").count(store::delivery_key(d)) == 1u);
  // The next start routes exactly the leftovers: every event ends with one delivery.
  counting_fan_out again(db, {subscription("a")}, router::chunk_limits{});
  auto leftovers = again.leftovers();
  BOOST_TEST(leftovers.size() == 1500u);
  router::routed rest;
  BOOST_REQUIRE(again.route(leftovers, rest).ok());
  BOOST_TEST(rest["a"].size() == 1500u);
  BOOST_TEST(keys("evt/").empty());
  std::set<std::string> routed_events;
  db->scan("dlv/", [&](const std::string&, const std::string& value) {
    delivery d;
    BOOST_REQUIRE(store::decode(value, d));
    BOOST_TEST(routed_events.insert(d.event_id).second);
    return true;
  });
  BOOST_TEST(routed_events.size() == 2500u);
}

BOOST_FIXTURE_TEST_CASE(unmatched_events_are_consumed_without_deliveries, fixture) {
  std::vector<event> events{make_event(1, "Blocked"), make_event(2)};
  persist_events(events);
  router::fan_out f(db, {subscription("a")});
  router::routed out;
  BOOST_REQUIRE(f.route(events, out).ok());
  BOOST_TEST(out["a"].size() == 1u);
  BOOST_TEST(out["a"][0].event_id == events[1].id);
  BOOST_TEST(keys("evt/").empty());
  BOOST_TEST(keys("dlv/").size() == 1u);
}

// The start-up scan of evt/ can race the differ's first message: the same event reaches route() twice.
BOOST_FIXTURE_TEST_CASE(routing_the_same_event_twice_creates_one_delivery, fixture) {
  auto events = make_events(3);
  persist_events(events);
  counting_fan_out f(db, {subscription("a")}, router::chunk_limits{1000, size_t(1) << 30});
  router::routed first, second;
  BOOST_REQUIRE(f.route(events, first).ok());
  BOOST_REQUIRE(f.route(events, second).ok());
  BOOST_TEST(first["a"].size() == 3u);
  BOOST_TEST(second["a"].empty());
  BOOST_TEST(keys("dlv/").size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(an_event_no_subscription_takes_is_described_once_with_each_reason, fixture) {
  auto taken = make_event(1);    // T1, SPEC-KIT-900
  auto dropped = make_event(2);  // T2
  dropped.spec_id = "SPEC-KIT-900-compose-demo";
  persist_events({taken, dropped});
  auto chatops = subscription("chatops");
  chatops.specs = {"SPEC-KIT-075*"};
  auto audit = subscription("audit");
  audit.statuses = {"In Review"};
  auto off = subscription("off");
  off.enabled = false;
  auto t1 = subscription("t1");
  t1.tasks = {"T1"};
  counting_fan_out f(db, {chatops, audit, off, t1}, router::chunk_limits{});
  router::routed out;
  std::vector<std::string> untaken;
  BOOST_REQUIRE(f.route({taken, dropped}, out, &untaken).ok());
  BOOST_TEST(out["t1"].size() == 1u);
  BOOST_REQUIRE(untaken.size() == 1u);
  BOOST_TEST(
      untaken[0] ==
      "T2 In Progress -> Done (SPEC-KIT-900-compose-demo, docs/SPEC-KIT-900/tasks.md:5) taken by no "
      "subscription: chatops: specs filter SPEC-KIT-075* does not match SPEC-KIT-900; audit: statuses "
      "filter In Review does not match Done; off: disabled (enabled = false); t1: tasks filter T1 does "
      "not match T2");
  BOOST_TEST(keys("evt/").empty());  // consumed all the same: nothing to deliver
  // Routed again (already consumed): skipped, so not described twice.
  untaken.clear();
  BOOST_REQUIRE(f.route({taken, dropped}, out, &untaken).ok());
  BOOST_TEST(untaken.empty());
}

BOOST_FIXTURE_TEST_CASE(a_taken_event_is_not_described, fixture) {
  auto e = make_event(1);
  persist_events({e});
  auto picky = subscription("picky");
  picky.tasks = {"T9"};
  counting_fan_out f(db, {subscription("all"), picky}, router::chunk_limits{});
  router::routed out;
  std::vector<std::string> untaken;
  BOOST_REQUIRE(f.route({e}, out, &untaken).ok());
  BOOST_TEST(out["all"].size() == 1u);
  BOOST_TEST(untaken.empty());
}

// Sequences (issue 16): per subscription and ordering key, 1, 2, 3, ... with no gap -- across router
// restarts, and across a chunk that failed (its events are routed again and get the same numbers).
BOOST_FIXTURE_TEST_CASE(sequences_are_per_subscription_and_key_and_gap_free_across_failures, fixture) {
  auto step = [](int round, int task) {
    event e = make_event(task, "Done");
    e.id = "evt_" + std::to_string(round) + "_" + std::to_string(task);
    e.occurred_at_ms += round;
    return e;
  };
  auto by_spec = subscription("by-spec");
  by_spec.ordering = config::ordering_mode::spec;
  const std::vector<config::subscription_settings> subs{subscription("by-task"), by_spec};
  std::map<std::string, std::vector<int64_t>> seen;  // "<sub> <key>" -> sequences in routing order
  auto collect = [&](router::routed& out) {
    for (auto& [name, list] : out)
      for (auto& d : list) {
        seen[name + " " + d.ordering_key].push_back(d.sequence);
        // The body carries the same numbers the record does.
        BOOST_TEST(d.body.find("\"sequence\":" + std::to_string(d.sequence) + ",\"ordering_key\":") !=
                   std::string::npos);
      }
  };
  {
    std::vector<event> r1{step(1, 1), step(1, 2)};
    persist_events(r1);
    counting_fan_out f(db, subs, router::chunk_limits{});
    router::routed out;
    BOOST_REQUIRE_MESSAGE(f.route(r1, out).ok(), "route failed");
    collect(out);
    // Round 2 fails in its second chunk (one event per chunk): task 2's event is kept for a retry.
    std::vector<event> r2{step(2, 1), step(2, 2)};
    persist_events(r2);
    counting_fan_out failing(db, subs, router::chunk_limits{1, size_t(1) << 30}, 2);
    router::routed out2;
    BOOST_TEST(!failing.route(r2, out2).ok());
    collect(out2);
  }
  reopen();  // a restart: numbers come from the store
  counting_fan_out f(db, subs, router::chunk_limits{});
  auto left = f.leftovers();
  BOOST_REQUIRE(left.size() == 1u);
  std::vector<event> r3{step(3, 1)};
  persist_events(r3);
  router::routed out;
  BOOST_REQUIRE(f.route(left, out).ok());
  BOOST_REQUIRE(f.route(r3, out).ok());
  collect(out);
  using seqs = std::vector<int64_t>;
  BOOST_TEST(seen["by-task SPEC-KIT-900/T1"] == (seqs{1, 2, 3}));
  BOOST_TEST(seen["by-task SPEC-KIT-900/T2"] == (seqs{1, 2}));
  // One key for the whole SPEC: every event of it, in routing order, numbered without a gap.
  BOOST_TEST(seen["by-spec SPEC-KIT-900"] == (seqs{1, 2, 3, 4, 5}));
  BOOST_TEST(seen.size() == 3u);
}

BOOST_AUTO_TEST_CASE(ordering_keys_name_the_task_or_the_spec) {
  event e = make_event(7);
  BOOST_TEST(router::ordering_key(e, config::ordering_mode::task) == "SPEC-KIT-900/T7");
  BOOST_TEST(router::ordering_key(e, config::ordering_mode::none) == "SPEC-KIT-900/T7");
  BOOST_TEST(router::ordering_key(e, config::ordering_mode::spec) == "SPEC-KIT-900");
  e.spec_id.clear();
  BOOST_TEST(router::ordering_key(e, config::ordering_mode::task) == "T7");
  BOOST_TEST(router::ordering_key(e, config::ordering_mode::spec) == "-");
  event stage;
  stage.type = "spec-auto.stage.completed";
  stage.spec_id = "SPEC-KIT-900";
  stage.stage = "plan";
  BOOST_TEST(router::ordering_key(stage, config::ordering_mode::task) == "SPEC-KIT-900");
}

BOOST_FIXTURE_TEST_CASE(each_subscription_stores_the_body_of_its_own_format, fixture) {
  auto events = make_events(1);
  persist_events(events);
  auto slack = subscription("chat");
  slack.format = config::body_format::slack;
  auto mine = subscription("mine");
  mine.template_file = "/cfg/mine.mustache";
  mine.template_text = "{\"id\":\"{{task.id}}\",\"seq\":{{sequence}}}";
  counting_fan_out f(db, {subscription("std"), slack, mine}, router::chunk_limits{});
  router::routed out;
  BOOST_REQUIRE(f.route(events, out).ok());
  BOOST_REQUIRE(out["std"].size() == 1u);
  BOOST_REQUIRE(out["chat"].size() == 1u);
  BOOST_REQUIRE(out["mine"].size() == 1u);
  BOOST_TEST(out["std"][0].body.rfind("{\"schema_version\":1,", 0) == 0u);
  BOOST_TEST(out["chat"][0].body.rfind("{\"text\":\"SPEC-KIT-900 T0 task 0: In Progress → Done\",\"blocks\":",
                                       0) == 0u);
  BOOST_TEST(out["mine"][0].body == "{\"id\":\"T0\",\"seq\":1}");
  // What the deliverer reads back (and sends on every attempt and replay) is the rendered body.
  for (const auto& [name, list] : out) {
    std::string value;
    BOOST_REQUIRE(db->get(store::delivery_key(list[0]), value));
    delivery d;
    BOOST_REQUIRE(store::decode(value, d));
    BOOST_TEST(d.body == list[0].body, name);
  }
}
