#define BOOST_TEST_MODULE store
#include "actors/store/store.hpp"

#include <boost/test/unit_test.hpp>

#include "actors/store/records.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

BOOST_AUTO_TEST_CASE(batch_writes_are_visible_and_survive_reopen) {
  testing::temp_dir dir;
  {
    auto opened = store::db::open((dir / "state").string());
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    auto& db = *opened;
    store::batch b;
    b.put("dlv/a", "1");
    b.put("dlv/b", "2");
    b.put("evt/x", "3");
    BOOST_TEST(db->write(b).ok());
    store::batch d;
    d.del("dlv/a");
    BOOST_TEST(db->write(d, store::durability::buffered).ok());
  }
  auto opened = store::db::open((dir / "state").string());
  BOOST_REQUIRE(opened);
  auto& db = *opened;
  std::vector<std::string> keys;
  db->scan("dlv/", [&](const std::string& k, const std::string&) {
    keys.push_back(k);
    return true;
  });
  BOOST_TEST(keys == std::vector<std::string>{"dlv/b"});
}

BOOST_AUTO_TEST_CASE(second_open_of_the_same_directory_fails_with_a_clear_message) {
  testing::temp_dir dir;
  auto first = store::db::open((dir / "state").string());
  BOOST_REQUIRE(first);
  auto second = store::db::open((dir / "state").string());
  BOOST_TEST(!second);
  const std::string& error = second.message();
  BOOST_TEST(error.find((dir / "state").string()) != std::string::npos);
  BOOST_TEST(error.find("another spec-notify") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unwritable_state_directory_is_reported_with_its_path) {
  testing::temp_dir dir;
  std::filesystem::create_directories(dir / "ro");
  std::filesystem::permissions(dir / "ro",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto db = store::db::open((dir / "ro/state").string());
  if (::geteuid() == 0) return;  // root ignores permissions; nothing to check
  BOOST_TEST(!db);
  BOOST_TEST(db.message().find("ro/state") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(delivery_records_round_trip_with_history) {
  delivery d;
  d.id = "msg_1";
  d.subscription = "chatops";
  d.event_id = "evt_1";
  d.event_type = "spec-kit.task.transitioned";
  d.spec_id = "SPEC-KIT-075-x";
  d.task_id = "T6";
  d.body = "{\"a\":\"\\u00e9\\n\"}";
  d.attempts = 2;
  d.created_at_ms = 1;
  d.next_at_ms = 99;
  d.replay = true;
  d.history = {{1, 10, 503, "HTTP 503", 12}, {2, 20, 0, "timeout after 10000 ms", 10000}};
  delivery back;
  BOOST_REQUIRE(store::decode(store::encode(d), back));
  BOOST_TEST(back.id == d.id);
  BOOST_TEST(back.body == d.body);
  BOOST_TEST(back.attempts == 2);
  BOOST_TEST(back.next_at_ms == 99);
  BOOST_TEST(back.replay);
  BOOST_REQUIRE(back.history.size() == 2u);
  BOOST_TEST(back.history[1].error == "timeout after 10000 ms");
  BOOST_TEST(back.history[0].status_code == 503);
}

BOOST_AUTO_TEST_CASE(delivery_schedule_fields_are_peeked_without_decoding_the_body) {
  delivery d;
  d.id = "msg_2";
  d.subscription = "chatops";
  // A body that mentions the same keys, with escapes and nested structure: only top-level members count.
  d.body = "{\"id\":\"msg_evil\",\"subscription\":\"other\",\"next_at_ms\":1,\"x\":[{\"a\":\"\\\\\"}]}";
  d.next_at_ms = 1234567890123;
  d.history = {{1, 10, 503, "HTTP \"503\"", 12}};
  const std::string text = store::encode(d);
  std::string id, sub;
  int64_t next = 0;
  BOOST_REQUIRE(store::peek_schedule_fields(text, id, sub, next));
  BOOST_TEST(id == "msg_2");
  BOOST_TEST(sub == "chatops");
  BOOST_TEST(next == 1234567890123);
  delivery back;  // the hand-written encoder stays readable by the full decoder
  BOOST_REQUIRE(store::decode(text, back));
  BOOST_TEST(back.body == d.body);
  BOOST_TEST(back.history.at(0).error == d.history[0].error);
  // Records written by the earlier Poco encoder (alphabetical keys, escaped slashes) still peek.
  BOOST_REQUIRE(store::peek_schedule_fields(
      "{\"attempts\":0,\"body\":\"{\\\"a\\\":\\\"b\\/c\\\"}\",\"history\":[],\"id\":\"msg_3\","
      "\"next_at_ms\":7,\"replay\":false,\"subscription\":\"s\"}",
      id, sub, next));
  BOOST_TEST(id == "msg_3");
  BOOST_TEST(sub == "s");
  BOOST_TEST(next == 7);
  BOOST_TEST(!store::peek_schedule_fields("not json", id, sub, next));
  BOOST_TEST(!store::peek_schedule_fields("{\"id\":\"msg_4\"}", id, sub, next));
  BOOST_TEST(!store::peek_schedule_fields("{\"id\":\"msg_4\",\"subscription\":\"s", id, sub, next));
}

// Ordering (issue 16): key and sequence round-trip and peek; a record written before they existed reads as
// "no key, sequence 0" (such a delivery waits for nothing), through both readers.
BOOST_AUTO_TEST_CASE(ordering_fields_round_trip_and_default_for_older_records) {
  delivery d;
  d.id = "msg_5";
  d.subscription = "board";
  d.ordering_key = "SPEC-KIT-077-ordering/T1";
  d.sequence = 42;
  const std::string text = store::encode(d);
  std::string id, sub, key;
  int64_t next = 0, seq = 0;
  BOOST_REQUIRE(store::peek_schedule_fields(text, id, sub, next, &key, &seq));
  BOOST_TEST(key == d.ordering_key);
  BOOST_TEST(seq == 42);
  delivery back;
  BOOST_REQUIRE(store::decode(text, back));
  BOOST_TEST(back.ordering_key == d.ordering_key);
  BOOST_TEST(back.sequence == 42);
  // A key that needs escapes (task ids come from the repo) makes the peek give up; decode still reads it.
  d.ordering_key = "S/T\"1";
  BOOST_TEST(!store::peek_schedule_fields(store::encode(d), id, sub, next, &key, &seq));
  BOOST_REQUIRE(store::decode(store::encode(d), back));
  BOOST_TEST(back.ordering_key == "S/T\"1");
  const std::string older =
      "{\"id\":\"msg_6\",\"subscription\":\"board\",\"event_id\":\"evt_6\",\"event_type\":\"x\","
      "\"spec_id\":\"\",\"task_id\":\"T1\",\"body\":\"{}\",\"attempts\":1,\"created_at_ms\":1,"
      "\"next_at_ms\":2,\"replay\":false,\"history\":[]}";
  BOOST_REQUIRE(store::peek_schedule_fields(older, id, sub, next, &key, &seq));
  BOOST_TEST(key.empty());
  BOOST_TEST(seq == 0);
  BOOST_REQUIRE(store::decode(older, back));
  BOOST_TEST(back.ordering_key.empty());
  BOOST_TEST(back.sequence == 0);
}

BOOST_AUTO_TEST_CASE(event_records_round_trip_and_garbage_is_rejected) {
  event e;
  e.id = "evt_1";
  e.type = event_type::task_transitioned;
  e.task_id = "T1";
  e.from = "";
  e.to = "Done";
  e.line = 42;
  e.context.consensus = "{\"status\":\"ok\"}";
  e.context.evidence = {"docs/a.json"};
  event back;
  BOOST_REQUIRE(store::decode(store::encode(e), back));
  BOOST_TEST(back.line == 42);
  BOOST_TEST((back.context == e.context));
  BOOST_TEST(!store::decode("not json", back));
  BOOST_TEST(!store::decode("{\"x\":1}", back));
}
