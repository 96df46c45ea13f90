#define BOOST_TEST_MODULE store_keys
#include "actors/store/keys.hpp"

#include <boost/test/unit_test.hpp>
#include <vector>

using namespace spec_notify;

namespace {

// Odd but allowed subscription names (config::valid_subscription_name: [a-z0-9_-], non-empty), including
// names that prefix or extend each other.
const std::vector<std::string> names{"a", "a-b", "ab", "a_b", "-", "_", "0", "--", "9-x_", "hooks-2"};

}  // namespace

BOOST_AUTO_TEST_CASE(delivery_and_dead_keys_round_trip_and_spell_the_documented_layout) {
  BOOST_TEST(store::delivery_key("chatops", "msg_1") == "dlv/chatops/msg_1");
  BOOST_TEST(store::dead_key("chatops", "msg_1") == "dead/chatops/msg_1");
  for (const auto& sub : names) {
    for (const std::string id : {"msg_AbC09xyz", "m", "msg_"}) {
      std::string s, i;
      BOOST_TEST_REQUIRE(store::pending_keys.parse(store::delivery_key(sub, id), s, i));
      BOOST_TEST(s == sub);
      BOOST_TEST(i == id);
      BOOST_TEST_REQUIRE(store::dead_keys.parse(store::dead_key(sub, id), s, i));
      BOOST_TEST(s == sub);
      BOOST_TEST(i == id);
      // Each key lies in its own subscription's range and in no other's: by prefix, and between the
      // prefix and past_prefix (where a seek skips to), so skipping one name's range skips no other name.
      for (const auto& other : names) {
        const std::string key = store::delivery_key(sub, id), from = store::pending_keys.range(other);
        BOOST_TEST((key.rfind(from, 0) == 0) == (other == sub), key << " by prefix of " << other);
        BOOST_TEST((key >= from && key < store::past_prefix(from)) == (other == sub), key << " in " << other);
      }
    }
  }
  delivery d;
  d.id = "msg_7";
  d.subscription = "ci";
  BOOST_TEST(store::delivery_key(d) == "dlv/ci/msg_7");
  BOOST_TEST(store::dead_key(d) == "dead/ci/msg_7");
}

BOOST_AUTO_TEST_CASE(keys_of_another_shape_do_not_parse) {
  std::string sub, id, rest;
  for (const std::string key : {"dlv/msg_1", "dlv//msg_1", "dlv/a/", "dlv/a/b/c", "dlv/A/msg", "dlv/a b/m",
                                "dead/a/m", "dlvx/a/m", ""})
    BOOST_TEST(!store::pending_keys.parse(key, sub, id), key);
  BOOST_TEST(!store::dead_keys.parse("dlv/a/m", sub, id));
  BOOST_TEST(!store::dead_keys.parse("dead/msg_1", sub, id));
  store::sub_field field;
  BOOST_TEST(!store::parse_sub_key("sub/a/unknown", sub, field));
  BOOST_TEST(!store::parse_sub_key("sub/a/rate/x", sub, field));
  BOOST_TEST(!store::parse_sub_key("sub//rate", sub, field));
  BOOST_TEST(!store::sequence_keys.parse("seq/a", sub, rest));
  BOOST_TEST(!store::parse_task_key("task/no-separator", sub, rest));
  BOOST_TEST(!store::parse_event_key("evt/", id));
  BOOST_TEST(!store::parse_seen_key("seen/", rest));
}

BOOST_AUTO_TEST_CASE(subscription_state_keys_round_trip_for_every_field) {
  using f = store::sub_field;
  BOOST_TEST(store::disabled_key("x") == "sub/x/disabled");
  BOOST_TEST(store::paused_key("x") == "sub/x/paused");
  BOOST_TEST(store::rate_key("x") == "sub/x/rate");
  BOOST_TEST(store::breaker_key("x") == "sub/x/breaker");
  for (const auto& sub : names) {
    for (f field : {f::disabled, f::paused, f::rate, f::breaker}) {
      std::string s;
      f back{};
      BOOST_TEST_REQUIRE(store::parse_sub_key(store::sub_key(sub, field), s, back));
      BOOST_TEST(s == sub);
      BOOST_TEST((back == field));
    }
  }
}

BOOST_AUTO_TEST_CASE(sequence_keys_keep_ordering_keys_with_slashes_and_any_byte) {
  BOOST_TEST(store::sequence_key("board", "SPEC-KIT-077/T1") == "seq/board/SPEC-KIT-077/T1");
  for (const auto& sub : names) {
    for (const std::string& key :
         std::vector<std::string>{"SPEC-KIT-077-ordering/T1", "a/b/c", "/", std::string("nul\0x", 5), "é"}) {
      std::string s, k;
      BOOST_TEST_REQUIRE(store::sequence_keys.parse(store::sequence_key(sub, key), s, k));
      BOOST_TEST(s == sub);
      BOOST_TEST(k == key);
      BOOST_TEST(store::sequence_key(sub, key).rfind(store::sequence_keys.range(sub), 0) == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(task_event_and_seen_keys_round_trip) {
  for (const std::string file : {"docs/SPEC-KIT-900/tasks.md", "a b/ü/tasks.md", "x"}) {
    for (const std::string task : {"T1", "T 2/x", ""}) {
      std::string f, t;
      BOOST_TEST_REQUIRE(store::parse_task_key(store::task_key(file, task), f, t));
      BOOST_TEST(f == file);
      BOOST_TEST(t == task);
      BOOST_TEST(store::task_key(file, task).rfind(store::task_prefix(file), 0) == 0u);
    }
  }
  // A file whose name extends another's is not in its range (the '\0' closes the name).
  BOOST_TEST(store::task_key("a.md.bak", "T1").rfind(store::task_prefix("a.md"), 0) != 0u);
  BOOST_TEST(store::task_key("f", "T1") == std::string("task/f\0T1", 9));
  std::string id, rel;
  BOOST_TEST_REQUIRE(store::parse_event_key(store::event_key("evt_1"), id));
  BOOST_TEST(id == "evt_1");
  BOOST_TEST(store::event_key("evt_1") == "evt/evt_1");
  BOOST_TEST_REQUIRE(store::parse_seen_key(store::seen_key("docs/x/telemetry.json"), rel));
  BOOST_TEST(rel == "docs/x/telemetry.json");
}

BOOST_AUTO_TEST_CASE(format_1_keys_are_told_apart_from_format_2) {
  std::string id;
  BOOST_TEST_REQUIRE(store::format_1::parse_delivery_key("dlv/msg_1", id));
  BOOST_TEST(id == "msg_1");
  BOOST_TEST_REQUIRE(store::format_1::parse_dead_key("dead/msg_2", id));
  BOOST_TEST(id == "msg_2");
  BOOST_TEST(!store::format_1::parse_delivery_key(store::delivery_key("a", "msg_1"), id));
  BOOST_TEST(!store::format_1::parse_dead_key(store::dead_key("a", "msg_1"), id));
  BOOST_TEST(!store::format_1::parse_delivery_key("dlv/", id));
  BOOST_TEST(!store::format_1::parse_delivery_key("dead/msg_1", id));
}

BOOST_AUTO_TEST_CASE(only_names_the_config_admits_are_key_safe) {
  for (const auto& sub : names) BOOST_TEST(store::key_safe_subscription(sub), sub);
  for (const std::string& bad : std::vector<std::string>{"", "a/b", "A", "a b", "é", std::string("a\0b", 3)})
    BOOST_TEST(!store::key_safe_subscription(bad));
}
