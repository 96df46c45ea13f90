// The store's own JSON reader (actors/store/record_json.hpp) against Poco::JSON, which read every record
// before it: what our encoder writes decodes to the same values, and on thousands of damaged records the
// reader never accepts anything Poco's parser would refuse or read differently.
#define BOOST_TEST_MODULE record_json
#include "actors/store/record_json.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

#include "actors/store/records.hpp"
#include "tests/support/poco_record_reference.hpp"

using namespace spec_notify;
using testing::poco_decode;
using testing::same;

namespace {

delivery sample() {
  delivery d;
  d.id = "msg_2Jx9";
  d.subscription = "chat-ops_1";
  d.event_id = "evt_7";
  d.event_type = "spec-kit.task.transitioned";
  d.spec_id = "SPEC-KIT-075-\xc3\xa9t\xc3\xa9";
  d.task_id = "T6 \"quoted\" \\ back";
  d.ordering_key = "SPEC-KIT-075/T6";
  d.sequence = 41;
  d.body = "{\"title\":\"emoji \xf0\x9f\x9a\x80 tab\\t nl\\n \\u0001 \\\"q\\\"\",\"n\":1}\n\x01\x1f";
  d.attempts = 3;
  d.created_at_ms = 1795000000000;
  d.next_at_ms = -5;
  d.replay = true;
  d.history = {{1, 10, 503, "HTTP 503 \xe2\x80\x94 \"busy\"", 12}, {2, 20, 0, "timeout\r\nafter", 10000}};
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(what_the_encoder_writes_reads_back_as_poco_read_it) {
  const auto d = sample();
  const auto text = store::encode(d);
  delivery ours, poco;
  BOOST_REQUIRE(store::decode(text, ours));
  BOOST_REQUIRE(poco_decode(text, poco));
  BOOST_TEST(same(ours, poco));
  BOOST_TEST(same(ours, d));
}

BOOST_AUTO_TEST_CASE(escapes_surrogate_pairs_and_conversions_match_poco) {
  const std::vector<std::string> inputs = {
      R"({"id":"a\u00e9\ud83d\ude80\/\b\f","subscription":"s"})",
      R"({ "id" : "x" , "subscription" : "s", "sequence": "12", "attempts": true, "replay": 1 })",
      R"({"id":"x","subscription":"s","replay":"false","task_id":12,"spec_id":true,"body":null})",
      R"({"id":"x","subscription":"s","unknown":{"deep":[1,{"a":[null,"]"]}]},"history":[1,"x",{"attempt":2}]})",
      R"({"id":"x","subscription":"s","id":"y","history":{"not":"an array"}})",
      R"({"id":"x","subscription":"s","next_at_ms":1.9e3,"sequence":-0})",
  };
  for (const auto& text : inputs) {
    delivery ours, poco;
    BOOST_TEST_CONTEXT(text) {
      BOOST_REQUIRE(poco_decode(text, poco));
      BOOST_REQUIRE(store::decode(text, ours));
      BOOST_TEST(same(ours, poco));
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_records_are_refused) {
  const std::vector<std::string> inputs = {
      "",
      "not json",
      "[]",
      R"({"x":1})",
      R"({"id":"x"})",
      R"({"id":"x","subscription":"s")",
      R"({"id":"x","subscription":"s",})",
      R"({"id":"x","subscription":"s"} trailing)",
      R"({"id":"\ud83d","subscription":"s"})",
      R"({"id":"\q","subscription":"s"})",
      R"({"id":"x","subscription":"s","attempts":99999999999})",
      R"({"id":"x","subscription":"s","body":{}})",
      R"({"id":"x","subscription":"s","sequence":01})",
      R"({"id":"x","subscription":"s","history":[{"attempt":"z"}]})",
      std::string(R"({"id":"x","subscription":"s","u":)") + std::string(100, '[') + std::string(100, ']') +
          "}",
  };
  for (const auto& text : inputs) {
    delivery ours;
    BOOST_TEST(!store::decode(text, ours), "accepted: " << text);
  }
}

BOOST_AUTO_TEST_CASE(a_decode_over_a_used_record_resets_absent_members) {
  delivery d = sample();
  BOOST_REQUIRE(store::decode(R"({"id":"x","subscription":"s"})", d));
  BOOST_TEST(d.body.empty());
  BOOST_TEST(d.history.empty());
  BOOST_TEST(!d.replay);
  BOOST_TEST(d.sequence == 0);
}

// Damaged copies of real records (bytes flipped, cut, duplicated): whatever our reader accepts, Poco's parser
// accepts too and reads the same values. (The converse need not hold: Poco tolerates a few things no record
// we wrote ever contained, such as raw control characters in strings.)
BOOST_AUTO_TEST_CASE(on_damaged_records_it_never_accepts_what_poco_would_not) {
  const std::string base = store::encode(sample());
  const std::string alphabet = "{}[]\",:\\u0123456789abcdefnrtl.eE+- \t\x01\x7f\xc3\xa9";
  std::mt19937 rng(20261202);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 3);
          break;
        case 2:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text.resize(at);
          break;
      }
    }
    delivery ours, poco;
    if (!store::decode(text, ours)) continue;
    ++accepted;
    BOOST_TEST_CONTEXT(text) {
      BOOST_REQUIRE(poco_decode(text, poco));
      BOOST_REQUIRE(same(ours, poco));
    }
  }
  BOOST_TEST(accepted > 1000);  // the damage must leave enough records readable for this to mean something
}

// Found by the records fuzz target (corpus seed number-beyond-double-range.json): an unknown member holding a
// number beyond the double range was skipped by our reader but is a syntax error to Poco's.
BOOST_AUTO_TEST_CASE(a_number_beyond_the_double_range_is_refused_as_poco_refuses_it) {
  for (const std::string number : {"1e309", "-1e309", "1795000e030001"}) {
    const std::string text = R"({"id":"msg_1","subscription":"s","unknown":)" + number + "}";
    delivery ours, poco;
    BOOST_TEST(!poco_decode(text, poco), number);
    BOOST_TEST(!store::decode(text, ours), number);
  }
  const std::string tiny = R"({"id":"msg_1","subscription":"s","unknown":1e-400})";  // reads as 0 in both
  delivery ours, poco;
  BOOST_TEST(poco_decode(tiny, poco));
  BOOST_TEST(store::decode(tiny, ours));
}
