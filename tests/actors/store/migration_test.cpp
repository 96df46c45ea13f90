#define BOOST_TEST_MODULE store_migration
// Issue 15: the spool keys carry the subscription (dlv/<name>/<id>, dead/<name>/<id>). A state dir written
// by the previous release (schema version 1: dlv/<id>, dead/<id>) is migrated once at open, in one synced
// batch; a dir from a newer release is refused. The format-1 dirs here are written with raw LevelDB puts of
// literal keys and of values captured from the previous binary's encoder, so these tests do not depend on
// the code under test to produce the old format.
#include "actors/store/migration.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <boost/test/unit_test.hpp>
#include <map>
#include <memory>

#include "actors/admin/operations.hpp"
#include "actors/deliverer/schedule.hpp"
#include "actors/store/records.hpp"
#include "actors/store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace spec_notify;

namespace {

// Captured from the previous binary (store::encode at commit 06daf1f): a retrying delivery of "ops-chat_2"
// with an ordering key, a body full of escapes and two attempts of history.
const std::string pending_ops =
    R"({"id":"msg_01HV3KQ7Z8Y2M4N6P8R0S2T4V6","subscription":"ops-chat_2","event_id":"evt_01HV3KQ7Z8Y2M4N6P8R0S2T4V5",)"
    R"("event_type":"spec-kit.task.transitioned","spec_id":"SPEC-KIT-075-x","task_id":"T6","ordering_key":"SPEC-KIT-075-x/T6",)"
    R"("sequence":3,"body":"{\"schema_version\":1,\"task\":\"caf\\u00e9 \\\"q\\\"\"}","attempts":2,)"
    R"("created_at_ms":1700000000000,"next_at_ms":1700000060000,"replay":false,"history":[{"attempt":1,)"
    R"("at_ms":1700000001000,"status_code":503,"error":"HTTP 503","latency_ms":12},{"attempt":2,)"
    R"("at_ms":1700000030000,"status_code":0,"error":"timeout after 10000 ms","latency_ms":10000}]})";
// Same binary: a dead letter of "board" (next_at_ms = when it died).
const std::string dead_board =
    R"({"id":"msg_dead1","subscription":"board","event_id":"evt_01HV3KQ7Z8Y2M4N6P8R0S2T4V5",)"
    R"("event_type":"spec-kit.task.transitioned","spec_id":"SPEC-KIT-075-x","task_id":"T6","ordering_key":"",)"
    R"("sequence":0,"body":"{\"schema_version\":1,\"task\":\"caf\\u00e9 \\\"q\\\"\"}","attempts":5,)"
    R"("created_at_ms":1700000000000,"next_at_ms":1700000090000,"replay":false,"history":[{"attempt":5,)"
    R"("at_ms":1700000090000,"status_code":500,"error":"HTTP 500","latency_ms":3}]})";
// Same binary: an event the router had not fanned out yet.
const std::string pending_event =
    R"({"id":"evt_pending1","type":"spec-kit.task.transitioned","occurred_at_ms":1700000000000,)"
    R"("spec_id":"SPEC-KIT-900","task_id":"T1","task_title":"task T1","from":"In Progress","to":"Done",)"
    R"("raw_status":"Done","source":"docs/SPEC-KIT-900/tasks.md","line":3,"stage":"","status":"","context_json":""})";
// Written by an even earlier encoder (Poco: alphabetical keys, escaped slashes, no ordering fields), still
// found in spools that were never drained.
const std::string pending_board_poco =
    R"({"attempts":0,"body":"{\"a\":\"b\\/c\"}","created_at_ms":5,"event_id":"evt_3","event_type":"x",)"
    R"("history":[],"id":"msg_3","next_at_ms":7,"replay":false,"spec_id":"","subscription":"board","task_id":"T3"})";

// The previous release's whole key space, as raw puts.
std::map<std::string, std::string> format_1_records() {
  return {
      {"meta/schema_version", "1"},
      {"meta/baseline", "1"},
      {std::string("task/docs/SPEC-KIT-900/tasks.md\0T1", 34), "Done\nDone"},
      {"evt/evt_pending1", pending_event},
      {"dlv/msg_01HV3KQ7Z8Y2M4N6P8R0S2T4V6", pending_ops},
      {"dlv/msg_3", pending_board_poco},
      {"dlv/msg_bad", "not json"},  // unreadable then, unreadable now: left where it is
      {"dead/msg_dead1", dead_board},
      {"sub/board/disabled", "endpoint answered 410 Gone"},
      {"sub/ops-chat_2/rate", "1700000000000000"},
      {"seq/ops-chat_2/SPEC-KIT-075-x/T6", "3"},
      {"seen/docs/SPEC-KIT-900/telemetry.json", "1"},
  };
}

std::unique_ptr<leveldb::DB> raw_open(const std::string& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  auto status = leveldb::DB::Open(options, dir, &raw);
  BOOST_REQUIRE_MESSAGE(status.ok(), status.ToString());
  return std::unique_ptr<leveldb::DB>(raw);
}

void raw_write(const std::string& dir, const std::map<std::string, std::string>& records) {
  auto raw = raw_open(dir);
  leveldb::WriteBatch wb;
  for (const auto& [k, v] : records) wb.Put(k, v);
  leveldb::WriteOptions sync;
  sync.sync = true;
  BOOST_REQUIRE(raw->Write(sync, &wb).ok());
}

// Every key and value but the checkpoint (which each open and close advances).
std::map<std::string, std::string> dump(const store::db& db) {
  std::map<std::string, std::string> out;
  db.scan("", [&](const std::string& k, const std::string& v) {
    if (k != store::checkpoint_key) out[k] = v;
    return true;
  });
  return out;
}

config::subscription_settings subscription(const std::string& name) {
  config::subscription_settings sub;
  sub.name = name;
  return sub;
}

store::db_ptr open_store(const std::string& dir) {
  auto opened = store::db::open(dir);
  BOOST_REQUIRE_MESSAGE(opened, opened.message());
  store::db_ptr db = std::move(*opened);
  return db;
}

}  // namespace

BOOST_AUTO_TEST_CASE(todays_encoder_still_writes_the_captured_bytes) {
  delivery d;
  BOOST_REQUIRE(store::decode(pending_ops, d));
  BOOST_TEST(store::encode(d) == pending_ops);
  BOOST_REQUIRE(store::decode(dead_board, d));
  BOOST_TEST(store::encode(d) == dead_board);
  event e;
  BOOST_REQUIRE(store::decode(pending_event, e));
  // Its empty context text means no context (null, null, []), which today's encoder writes out in full, as
  // the differ writes an event without context (tests/actors/store/event_record_test.cpp).
  BOOST_TEST((e.context == event_context{}));
  std::string expected = pending_event;
  const std::string empty = R"("context_json":"")";
  expected.replace(expected.find(empty), empty.size(),
                   R"("context_json":"{\"telemetry\":null,\"consensus\":null,\"evidence\":[]}")");
  BOOST_TEST(store::encode(e) == expected);
}

BOOST_AUTO_TEST_CASE(a_format_1_state_dir_is_migrated_once_and_every_record_is_found_under_its_new_key) {
  testing::temp_dir tmp;
  const std::string dir = (tmp / "state").string();
  raw_write(dir, format_1_records());

  std::map<std::string, std::string> after;
  {
    auto db = open_store(dir);
    after = dump(*db);
    std::map<std::string, std::string> want = format_1_records();
    want.erase("dlv/msg_01HV3KQ7Z8Y2M4N6P8R0S2T4V6");
    want.erase("dlv/msg_3");
    want.erase("dead/msg_dead1");
    want["dlv/ops-chat_2/msg_01HV3KQ7Z8Y2M4N6P8R0S2T4V6"] = pending_ops;  // values moved byte for byte
    want["dlv/board/msg_3"] = pending_board_poco;
    want["dead/board/msg_dead1"] = dead_board;
    want["meta/schema_version"] = "2";
    BOOST_TEST(after == want);

    // Each deliverer loads its own spool only, ordering fields intact.
    deliverer::schedule ops(db, subscription("ops-chat_2"));
    BOOST_TEST(ops.load() == 1u);
    auto due = ops.take_due(1700000060000, 10);
    BOOST_REQUIRE_EQUAL(due.size(), 1u);
    BOOST_TEST(due[0].id == "msg_01HV3KQ7Z8Y2M4N6P8R0S2T4V6");
    BOOST_TEST(due[0].sequence == 3);
    BOOST_TEST(due[0].attempts == 2);
    BOOST_TEST(due[0].history.size() == 2u);
    deliverer::schedule board(db, subscription("board"));
    BOOST_TEST(board.load() == 1u);
    BOOST_TEST(board.disabled());  // sub/ keys are the same in both formats

    // The operator's paths: list everything, list one subscription, replay by id alone.
    auto rows = admin::list_deliveries(*db, {});
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    BOOST_TEST(rows[2].id == "msg_dead1");
    BOOST_TEST(rows[2].state == "dead");
    BOOST_TEST(admin::list_deliveries(*db, {false, "board"}).size() == 2u);
    auto out = admin::replay(*db, {{"msg_dead1"}, 0, ""});
    BOOST_REQUIRE_EQUAL(out.results.size(), 1u);
    BOOST_TEST(out.results[0].ok);
    BOOST_TEST(out.results[0].subscription == "board");
    std::string text;
    BOOST_TEST(db->get("dlv/board/msg_dead1", text));
    BOOST_TEST(!db->get("dead/board/msg_dead1", text));
    after = dump(*db);
  }
  // A second open finds format 2 and changes nothing.
  auto again = open_store(dir);
  BOOST_TEST(dump(*again) == after);
}

// A dir from before meta/schema_version existed holds format-1 keys without the marker: migrated as well.
BOOST_AUTO_TEST_CASE(an_unversioned_state_dir_with_a_spool_is_migrated_too) {
  testing::temp_dir tmp;
  const std::string dir = (tmp / "state").string();
  raw_write(dir, {{"dlv/msg_3", pending_board_poco}});
  auto db = open_store(dir);
  std::string text;
  BOOST_TEST(db->get("dlv/board/msg_3", text));
  BOOST_TEST(text == pending_board_poco);
  BOOST_TEST(!db->get("dlv/msg_3", text));
  BOOST_TEST(db->get(store::schema_version_key, text));
  BOOST_TEST(text == store::current_schema_version);
}

BOOST_AUTO_TEST_CASE(a_new_state_dir_starts_in_the_current_format) {
  testing::temp_dir tmp;
  auto db = open_store((tmp / "state").string());
  std::string version;
  BOOST_REQUIRE(db->get(store::schema_version_key, version));
  BOOST_TEST(version == "2");
}

// A newer release's layout must not be read with this one's keys (pending deliveries would look absent).
BOOST_AUTO_TEST_CASE(a_state_dir_of_a_newer_format_is_refused_naming_the_dir_and_left_as_it_was) {
  testing::temp_dir tmp;
  const std::string dir = (tmp / "state").string();
  {
    auto db = open_store(dir);
    store::batch b;
    b.put(store::delivery_key("board", "msg_1"), pending_board_poco);
    BOOST_REQUIRE(db->write(b).ok());
  }
  raw_write(dir, {{"meta/schema_version", "3"}, {"dlv/msg_from_the_future", "{}"}});
  auto db = store::db::open(dir);
  BOOST_TEST(!db);
  const std::string& error = db.message();
  BOOST_TEST(error.find(dir) != std::string::npos, error);
  BOOST_TEST(error.find("schema version 3") != std::string::npos, error);
  auto raw = raw_open(dir);
  std::string value;
  BOOST_TEST(raw->Get(leveldb::ReadOptions(), "meta/schema_version", &value).ok());
  BOOST_TEST(value == "3");
  BOOST_TEST(raw->Get(leveldb::ReadOptions(), "dlv/msg_from_the_future", &value).ok());  // not migrated
}
