#define BOOST_TEST_MODULE spool_actor
// The spool actor (spawn_spool, scheduled, not detached) on CAF's deterministic scheduler with a real store:
// the test sends from its scoped actor, run() delivers every message on the test thread, then the replies and
// the store are read. What is checked: each writer's changes are applied in the order sent, changes queued
// together are answered together (group commit), a posted change needs no reply, flush answers once all that
// was queued before it is written, and the key shapes of every change (changes.hpp) are those keys.hpp
// parses, so readers (deliverer load, admin list) find what the spool wrote.
#include "actors/spool/spool_actor.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/store/keys.hpp"
#include "actors/store/records.hpp"
#include "tests/support/deterministic_system.hpp"
#include "tests/support/spool_records.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using testing::pending_delivery;

namespace {

// Base classes are destroyed in reverse: the actors stop before the store closes.
struct fixture : testing::temp_store, testing::deterministic_system {
  spool_actor spool;
  fixture() {
    spool = spool::spawn_spool(sys, db, false);
    spawned.push_back(spool.address());
  }
  bool has(const std::string& key) const {
    std::string unused;
    return db->get(key, unused);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_change_is_written_and_answered_once_the_scheduler_runs_the_spool, fixture) {
  const auto d = pending_delivery("one", "T1");
  spool::changes c;
  c.add(d);
  self->send(spool, std::move(c));
  BOOST_TEST(!has(store::delivery_key(d)));  // nothing ran yet: the spool alone writes
  run();
  BOOST_TEST(has(store::delivery_key(d)));
  auto replies = take_all<status>();
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_TEST(replies[0].ok());
}

BOOST_FIXTURE_TEST_CASE(one_writers_changes_are_applied_in_the_order_sent_and_answered_together, fixture) {
  const auto kept = pending_delivery("one", "T1");
  const auto gone = pending_delivery("one", "T2");
  spool::changes add;
  add.add(kept);
  add.add(gone);
  spool::changes remove;  // sent after the add: must win
  remove.remove(gone.subscription, gone.id);
  remove.buffered();
  spool::changes set;
  set.set("one", store::sub_field::paused, "1");
  self->send(spool, std::move(add));
  self->send(spool, std::move(remove));
  self->send(spool, std::move(set));
  run();
  BOOST_TEST(has(store::delivery_key(kept)));
  BOOST_TEST(!has(store::delivery_key(gone)));
  BOOST_TEST(has(store::paused_key("one")));
  auto replies = take_all<status>();
  BOOST_TEST(replies.size() == 3u);
  for (const auto& r : replies) BOOST_TEST(r.ok());
}

BOOST_FIXTURE_TEST_CASE(a_posted_change_is_written_without_a_reply, fixture) {
  const auto d = pending_delivery("one", "T1");
  spool::changes c;
  c.add(d);
  caf::anon_send(spool, std::move(c));
  run();
  BOOST_TEST(has(store::delivery_key(d)));
  BOOST_TEST(take_all<status>().empty());
}

BOOST_FIXTURE_TEST_CASE(flush_answers_after_everything_queued_before_it_is_written, fixture) {
  const auto d = pending_delivery("one", "T1");
  spool::changes c;
  c.add(d);
  caf::anon_send(spool, std::move(c));
  self->send(spool, flush_atom::value);
  // Deliver only the first two messages: the change, then the flush (the spool's own commit comes later).
  BOOST_REQUIRE(run_once());
  BOOST_REQUIRE(run_once());
  BOOST_TEST(has(store::delivery_key(d)));
  auto flushed = take_all<bool>();
  BOOST_REQUIRE(flushed.size() == 1u);
  BOOST_TEST(flushed[0]);
  run();  // the now empty commit
  BOOST_TEST(has(store::delivery_key(d)));
}

BOOST_FIXTURE_TEST_CASE(bury_unbury_and_drop_move_a_delivery_between_the_key_ranges_readers_scan, fixture) {
  auto d = pending_delivery("one", "T1");
  spool::changes add;
  add.add(d);
  add.consume_event(d.event_id);
  add.set_sequence(store::sequence_key("one", "SPEC/T1"), 7);
  self->send(spool, std::move(add));
  run();
  std::string text;
  BOOST_TEST(db->get(store::sequence_key("one", "SPEC/T1"), text));
  BOOST_TEST(text == "7");

  d.next_at_ms = 1234;  // when it died
  spool::changes bury;
  bury.bury(d);
  self->send(spool, std::move(bury));
  run();
  BOOST_TEST(!has(store::delivery_key(d)));
  BOOST_REQUIRE(db->get(store::dead_key(d), text));
  delivery back;
  BOOST_REQUIRE(store::decode(text, back));
  BOOST_TEST(back.next_at_ms == 1234);
  std::string sub, id;
  BOOST_TEST(store::dead_keys.parse(store::dead_key(d), sub, id));
  BOOST_TEST(sub == "one");
  BOOST_TEST(id == d.id);

  spool::changes unbury;
  unbury.unbury(d);
  self->send(spool, std::move(unbury));
  run();
  BOOST_TEST(has(store::delivery_key(d)));
  BOOST_TEST(!has(store::dead_key(d)));

  spool::changes bury_again, drop;
  bury_again.bury(d);
  drop.drop_dead("one", d.id);
  self->send(spool, std::move(bury_again));
  self->send(spool, std::move(drop));
  run();
  BOOST_TEST(!has(store::delivery_key(d)));
  BOOST_TEST(!has(store::dead_key(d)));
  BOOST_TEST(take_all<status>().size() == 5u);
}

BOOST_AUTO_TEST_CASE(appending_keeps_a_group_synced_when_any_part_asks_for_it) {
  spool::changes buffered, synced, group;
  buffered.remove("one", "msg_a");
  buffered.buffered();
  synced.remove("one", "msg_b");
  group.append(std::move(buffered));
  BOOST_TEST((group.durability() == store::durability::buffered));
  group.append(std::move(synced));
  BOOST_TEST((group.durability() == store::durability::synced));
  BOOST_TEST(group.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_writer_through_a_stopped_spool_gets_a_failure_not_a_hang) {
  testing::temp_store store;
  caf::actor_system_config cfg;
  register_message_types(cfg);
  caf::actor_system sys{cfg};
  auto spool = spool::spawn_spool(sys, store.db);
  auto port = spool::through(sys, spool);
  spool::changes first;
  first.add(pending_delivery("one", "T1"));
  BOOST_TEST(port.write(std::move(first)).ok());
  BOOST_TEST(spool::stop_spool(sys, spool, std::chrono::seconds(10)).ok());
  spool::changes late;
  late.add(pending_delivery("one", "T2"));
  auto written = port.write(std::move(late));
  BOOST_TEST(!written.ok());
  BOOST_TEST(written.message().find("spool") != std::string::npos, written.message());
}
