#define BOOST_TEST_MODULE admin_format
// The `--list` renderings of app/commands/admin_format.cpp: the open-circuit lines above the tables and the
// "circuits" member of the JSON form.
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "app/commands/admin_ops.hpp"

using namespace spec_notify;
using namespace spec_notify::app;

namespace {

constexpr int64_t now_ms = 1795000000000;  // 2026-11-18T11:06:40Z

status_row circuit(const std::string& name, const std::string& state, int64_t since_ms) {
  status_row row;
  row.live.name = name;
  row.live.circuit = state;
  row.live.circuit_since_ms = since_ms;
  return row;
}

list_row pending_row(const std::string& id, const std::string& sub) {
  list_row r;
  r.id = id;
  r.state = "pending";
  r.subscription = sub;
  r.event_type = "spec-kit.task.transitioned";
  r.attempts = 2;
  return r;
}

std::string list_text(const admin_reply& reply, bool failed_only = false) {
  std::ostringstream os;
  print_list(os, reply, failed_only, now_ms);
  return os.str();
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(list_names_each_open_circuit_and_since_when_above_the_tables) {
  admin_reply reply;
  reply.rows = {pending_row("msg_1", "down")};
  reply.statuses = {circuit("ok", "closed", 0), circuit("down", "open", now_ms - 5000),
                    circuit("plain", "", 0)};
  auto text = list_text(reply);
  BOOST_TEST(text.rfind("circuit OPEN for down since 2026-11-18T11:06:35Z (5s ago): pending deliveries wait "
                        "for a probe and do not use up attempts\n\nPending deliveries: 1\n",
                        0) == 0,
             text);
  BOOST_TEST(text.find("for ok") == std::string::npos);
  BOOST_TEST(text.find("for plain") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(list_without_an_open_circuit_prints_the_tables_as_before) {
  admin_reply reply;
  reply.rows = {pending_row("msg_1", "down")};
  reply.statuses = {circuit("down", "closed", 0)};
  std::ostringstream rows;
  print_rows(rows, reply.rows, false, now_ms);
  BOOST_TEST(list_text(reply) == rows.str());
}

BOOST_AUTO_TEST_CASE(failed_only_list_still_names_the_open_circuit) {
  admin_reply reply;
  reply.statuses = {circuit("down", "open", now_ms - 3 * 60 * 1000)};
  BOOST_TEST(list_text(reply, true) ==
             "circuit OPEN for down since 2026-11-18T11:03:40Z (3m ago): pending deliveries wait for a probe "
             "and do not use up attempts\n\nDead letters: 0\n");
}

BOOST_AUTO_TEST_CASE(circuit_line_escapes_control_characters_in_the_name) {
  admin_reply reply;
  reply.statuses = {circuit("a\nDead letters: 0\x1b[2J", "open", now_ms)};
  auto text = list_text(reply, true);
  BOOST_TEST(text.find('\x1b') == std::string::npos, text);
  BOOST_TEST(text.rfind("circuit OPEN for a\\nDead letters: 0\\x1b[2J since", 0) == 0, text);
  BOOST_TEST(text.find("\nDead letters: 0\n") == text.rfind("\nDead letters: 0\n"));  // one, not forged
}

BOOST_AUTO_TEST_CASE(json_list_keeps_pending_and_dead_and_adds_the_open_circuits) {
  admin_reply reply;
  reply.rows = {pending_row("msg_1", "down")};
  reply.statuses = {circuit("ok", "closed", 0), circuit("down", "open", now_ms - 5000)};
  auto top = parse(list_json(reply));
  BOOST_TEST(top->getArray("pending")->size() == 1u);
  BOOST_TEST(top->getArray("pending")->getObject(0)->getValue<std::string>("id") == "msg_1");
  BOOST_TEST(top->getArray("dead")->size() == 0u);
  auto circuits = top->getArray("circuits");
  BOOST_REQUIRE(circuits);
  BOOST_REQUIRE_EQUAL(circuits->size(), 1u);
  auto c = circuits->getObject(0);
  BOOST_TEST(c->getValue<std::string>("subscription") == "down");
  BOOST_TEST(c->getValue<std::string>("state") == "open");
  BOOST_TEST(c->getValue<std::string>("since") == "2026-11-18T11:06:35Z");
  // Existing members first, in their order; rows_json (the admin shell's form) is unchanged.
  auto text = list_json(reply);
  BOOST_TEST(text.find("\"pending\"") < text.find("\"dead\""));
  BOOST_TEST(text.find("\"dead\"") < text.find("\"circuits\""));
  BOOST_TEST(rows_json(reply.rows).find("circuits") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_list_has_an_empty_circuits_array_when_none_is_open) {
  admin_reply reply;
  reply.statuses = {circuit("down", "closed", 0)};
  BOOST_TEST(list_json(reply) == R"({"pending":[],"dead":[],"circuits":[]})");
}

BOOST_AUTO_TEST_CASE(json_list_escapes_control_characters_in_the_name) {
  admin_reply reply;
  reply.statuses = {circuit("a\nb\x1b", "open", now_ms)};
  auto text = list_json(reply);
  BOOST_TEST(text.find('\n') == std::string::npos, text);
  BOOST_TEST(text.find('\x1b') == std::string::npos, text);
  BOOST_TEST(parse(text)->getArray("circuits")->getObject(0)->getValue<std::string>("subscription") ==
             "a\nb\x1b");
}
