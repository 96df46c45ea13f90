#define BOOST_TEST_MODULE admin_operations
#include "actors/admin/operations.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "actors/admin/requests.hpp"
#include "actors/store/records.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

namespace {

delivery make(const std::string& id, const std::string& sub, int64_t next_at_ms, int attempts = 3) {
  delivery d;
  d.id = id;
  d.subscription = sub;
  d.event_id = "evt_" + id;
  d.event_type = "spec-kit.task.transitioned";
  d.spec_id = "SPEC-KIT-075-x";
  d.task_id = "T1";
  d.body = R"({"schema_version":1})";
  d.attempts = attempts;
  d.created_at_ms = 1000;
  d.next_at_ms = next_at_ms;
  for (int i = 1; i <= attempts; ++i) d.history.push_back({i, 1000 + i, 500, "HTTP 500", 3});
  return d;
}

struct fixture {
  fixture() {
    auto opened = store::db::open((dir / "state").string());
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    db = std::move(*opened);
  }
  void put_dead(const delivery& d) { put(store::dead_key(d), d); }
  void put_pending(const delivery& d) { put(store::delivery_key(d), d); }
  void put(const std::string& key, const delivery& d) {
    store::batch b;
    b.put(key, store::encode(d));
    BOOST_REQUIRE(db->write(b).ok());
  }
  bool has(const std::string& key) {
    std::string v;
    return db->get(key, v);
  }
  testing::temp_dir dir;
  std::unique_ptr<store::db> db;
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(list_shows_pending_first_then_dead_letters_with_their_last_error, fixture) {
  put_dead(make("msg_dead", "chatops", 5000));
  put_pending(make("msg_late", "chatops", 9000, 1));
  put_pending(make("msg_soon", "ci", 2000, 0));
  auto rows = admin::list_deliveries(*db, {});
  BOOST_REQUIRE_EQUAL(rows.size(), 3u);
  BOOST_TEST(rows[0].id == "msg_soon");
  BOOST_TEST(rows[0].state == "pending");
  BOOST_TEST(rows[0].last_error.empty());
  BOOST_TEST(rows[1].id == "msg_late");
  BOOST_TEST(rows[2].id == "msg_dead");
  BOOST_TEST(rows[2].state == "dead");
  BOOST_TEST(rows[2].attempts == 3);
  BOOST_TEST(rows[2].last_status == 500);
  BOOST_TEST(rows[2].last_error == "HTTP 500");
  BOOST_TEST(rows[2].next_at_ms == 5000);
}

BOOST_FIXTURE_TEST_CASE(list_filters_by_dead_letters_only_and_by_subscription, fixture) {
  put_dead(make("msg_a", "chatops", 5000));
  put_dead(make("msg_b", "ci", 5000));
  put_pending(make("msg_c", "chatops", 2000, 1));
  auto failed = admin::list_deliveries(*db, {true, ""});
  BOOST_REQUIRE_EQUAL(failed.size(), 2u);
  BOOST_TEST((failed[0].state == "dead" && failed[1].state == "dead"));
  auto chatops = admin::list_deliveries(*db, {false, "chatops"});
  BOOST_REQUIRE_EQUAL(chatops.size(), 2u);
  for (const auto& r : chatops) BOOST_TEST(r.subscription == "chatops");
}

BOOST_FIXTURE_TEST_CASE(replay_by_id_moves_the_dead_letter_back_under_the_same_id_with_attempts_reset,
                        fixture) {
  put_dead(make("msg_a", "chatops", 5000));
  auto out = admin::replay(*db, {{"msg_a"}, 0, ""});
  BOOST_TEST(out.error.empty());
  BOOST_REQUIRE_EQUAL(out.results.size(), 1u);
  BOOST_TEST(out.results[0].ok);
  BOOST_TEST(out.results[0].result == "replayed");
  BOOST_TEST(out.results[0].subscription == "chatops");
  BOOST_TEST(!has("dead/chatops/msg_a"));
  std::string text;
  BOOST_REQUIRE(db->get("dlv/chatops/msg_a", text));
  delivery d;
  BOOST_REQUIRE(store::decode(text, d));
  BOOST_TEST(d.id == "msg_a");
  BOOST_TEST(d.attempts == 0);
  BOOST_TEST(d.next_at_ms == 0);
  BOOST_TEST(d.replay);
  BOOST_TEST(d.history.size() == 3u);  // why it died stays visible
  BOOST_TEST(d.body == R"({"schema_version":1})");
  BOOST_REQUIRE_EQUAL(out.replayed.size(), 1u);
  BOOST_TEST(out.replayed[0].id == "msg_a");
}

BOOST_FIXTURE_TEST_CASE(replay_reports_unknown_and_still_pending_ids_without_touching_them, fixture) {
  put_pending(make("msg_p", "chatops", 2000, 1));
  auto out = admin::replay(*db, {{"msg_p", "msg_x", "msg_x"}, 0, ""});
  BOOST_REQUIRE_EQUAL(out.results.size(), 2u);  // duplicates folded
  BOOST_TEST(!out.results[0].ok);
  BOOST_TEST(out.results[0].result == "not a dead letter (still pending)");
  BOOST_TEST(out.results[1].result == "not found");
  BOOST_TEST(out.replayed.empty());
  std::string text;
  BOOST_REQUIRE(db->get("dlv/chatops/msg_p", text));
  delivery d;
  BOOST_REQUIRE(store::decode(text, d));
  BOOST_TEST(d.attempts == 1);
  BOOST_TEST(!d.replay);
}

// Contract: "410 = disable this subscription (keep its events, replayable)". Replaying a delivery of a
// disabled subscription (a dead letter, or one the disable holds back) re-enables it in the same batch.
BOOST_FIXTURE_TEST_CASE(replay_re_enables_a_subscription_disabled_by_410, fixture) {
  auto disable = [&](const std::string& sub) {
    store::batch b;
    b.put(store::disabled_key(sub), "endpoint answered 410 Gone");
    BOOST_REQUIRE(db->write(b).ok());
  };
  disable("gone");
  put_pending(make("msg_held", "gone", 2000, 1));
  auto out = admin::replay(*db, {{"msg_held"}, 0, ""});
  BOOST_REQUIRE_EQUAL(out.results.size(), 1u);
  BOOST_TEST(out.results[0].ok);
  BOOST_TEST(out.results[0].result == "replayed (subscription re-enabled)");
  BOOST_REQUIRE_EQUAL(out.replayed.size(), 1u);
  BOOST_TEST(out.replayed[0].id == "msg_held");  // same webhook-id
  BOOST_TEST(!has(store::disabled_key("gone")));
  std::string text;
  delivery d;
  BOOST_REQUIRE(db->get("dlv/gone/msg_held", text) && store::decode(text, d));
  BOOST_TEST(d.attempts == 0);
  BOOST_TEST(d.replay);

  disable("gone");  // a dead letter of a disabled subscription re-enables it too
  put_dead(make("msg_dead", "gone", 5000));
  BOOST_TEST(admin::replay(*db, {{}, 0, "gone"}).results.size() == 1u);
  BOOST_TEST(!has(store::disabled_key("gone")));

  disable("other");  // replaying another subscription's letter leaves this one disabled
  put_dead(make("msg_c", "chatops", 5000));
  BOOST_TEST(admin::replay(*db, {{"msg_c"}, 0, ""}).results[0].ok);
  BOOST_TEST(has(store::disabled_key("other")));
}

// Keys start with the subscription (dlv/<name>/<id>), yet an operator names a record by id alone: it is
// found whichever subscription holds it, between neighbours whose names extend or prefix each other and
// past subscriptions with many records.
BOOST_FIXTURE_TEST_CASE(replay_by_id_finds_the_record_whatever_its_subscription, fixture) {
  for (int i = 0; i < 50; ++i) put_dead(make("msg_ci_" + std::to_string(i), "ci", 5000));
  put_dead(make("msg_x", "ci-nightly", 5000));
  put_dead(make("msg_y", "c", 5000));
  put_pending(make("msg_z", "ci_2", 2000, 1));
  auto out = admin::replay(*db, {{"msg_y", "msg_x", "msg_ci_49", "msg_z"}, 0, ""});
  BOOST_REQUIRE_EQUAL(out.results.size(), 4u);
  BOOST_TEST(out.results[0].subscription == "c");
  BOOST_TEST(out.results[1].subscription == "ci-nightly");
  BOOST_TEST(out.results[2].subscription == "ci");
  BOOST_TEST(out.results[3].result == "not a dead letter (still pending)");
  BOOST_TEST(out.results[3].subscription == "ci_2");
  BOOST_TEST(has("dlv/c/msg_y"));
  BOOST_TEST(has("dlv/ci-nightly/msg_x"));
  BOOST_TEST(has("dlv/ci/msg_ci_49"));
  BOOST_TEST(!has("dead/ci/msg_ci_49"));
  BOOST_TEST(has("dead/ci/msg_ci_48"));
}

BOOST_FIXTURE_TEST_CASE(a_second_replay_of_the_same_id_finds_it_pending, fixture) {
  put_dead(make("msg_a", "chatops", 5000));
  BOOST_TEST(admin::replay(*db, {{"msg_a"}, 0, ""}).results[0].ok);
  auto again = admin::replay(*db, {{"msg_a"}, 0, ""});
  BOOST_TEST(!again.results[0].ok);
  BOOST_TEST(again.results[0].result == "not a dead letter (still pending)");
}

BOOST_FIXTURE_TEST_CASE(replay_failed_takes_every_dead_letter_matching_since_and_subscription, fixture) {
  put_dead(make("msg_old", "chatops", 1000));
  put_dead(make("msg_new", "chatops", 9000));
  put_dead(make("msg_ci", "ci", 9000));
  auto out = admin::replay(*db, {{}, 5000, "chatops"});
  BOOST_REQUIRE_EQUAL(out.results.size(), 1u);
  BOOST_TEST(out.results[0].id == "msg_new");
  BOOST_TEST(has("dead/chatops/msg_old"));
  BOOST_TEST(has("dead/ci/msg_ci"));
  BOOST_TEST(has("dlv/chatops/msg_new"));
  auto rest = admin::replay(*db, {{}, 0, ""});
  BOOST_TEST(rest.results.size() == 2u);
  BOOST_TEST(admin::list_deliveries(*db, {true, ""}).empty());
}

BOOST_FIXTURE_TEST_CASE(dead_letters_are_counted_per_subscription, fixture) {
  put_dead(make("msg_a", "chatops", 1));
  put_dead(make("msg_b", "chatops", 2));
  put_dead(make("msg_c", "ci", 3));
  auto counts = admin::count_dead_letters(*db);
  BOOST_REQUIRE_EQUAL(counts.size(), 2u);
  BOOST_TEST(counts[0].first == "chatops");
  BOOST_TEST(counts[0].second == 2);
  BOOST_TEST(counts[1].second == 1);
}

BOOST_FIXTURE_TEST_CASE(handle_replay_records_each_replay_in_the_evidence_without_the_body, fixture) {
  put_dead(make("msg_a", "chatops", 5000));
  admin_request req;
  req.command = "replay";
  req.ids = {"msg_a"};
  std::vector<delivery> replayed;
  auto reply = admin::handle_replay(*db, req, replayed);
  BOOST_TEST(reply.ok);
  BOOST_TEST(reply.message.empty());
  BOOST_REQUIRE_EQUAL(replayed.size(), 1u);
  // The CLI's path without a daemon (the daemon's admin actor sends the same outcomes to its evidence
  // writer).
  BOOST_TEST(admin::record_offline({dir / "evidence", 0, {}}, admin::replay_outcomes(replayed, 5000)) == "");
  auto folder = dir / "evidence" / "commands" / "SPEC-KIT-075-x" / "webhooks";
  std::string all;
  for (const auto& f : std::filesystem::directory_iterator(folder)) {
    std::ifstream in(f.path());
    std::stringstream text;
    text << in.rdbuf();
    all += text.str();
  }
  BOOST_TEST(all.find(R"("kind":"replay")") != std::string::npos);
  BOOST_TEST(all.find(R"("delivery_id":"msg_a")") != std::string::npos);
  BOOST_TEST(all.find(R"("outcome":"requeued")") != std::string::npos);
  BOOST_TEST(all.find("schema_version") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(handle_replay_without_ids_or_failed_is_an_error, fixture) {
  admin_request req;
  req.command = "replay";
  std::vector<delivery> replayed;
  auto reply = admin::handle_replay(*db, req, replayed);
  BOOST_TEST(!reply.ok);
}
