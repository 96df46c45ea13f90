#include "actors/store/records.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace spec_notify::store {
namespace {

std::string stringify(const Poco::JSON::Object& o) {
  std::ostringstream os;
  o.stringify(os);
  return os.str();
}

Poco::JSON::Object::Ptr parse_object(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string str(const Poco::JSON::Object::Ptr& o, const char* key) {
  return o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string{};
}

template <class T>
T num(const Poco::JSON::Object::Ptr& o, const char* key) {
  return o->has(key) && !o->isNull(key) ? o->getValue<T>(key) : T{};
}

}  // namespace

std::string encode(const event& e) {
  Poco::JSON::Object o;
  o.set("id", e.id);
  o.set("type", e.type);
  o.set("occurred_at_ms", e.occurred_at_ms);
  o.set("spec_id", e.spec_id);
  o.set("task_id", e.task_id);
  o.set("task_title", e.task_title);
  o.set("from", e.from);
  o.set("to", e.to);
  o.set("raw_status", e.raw_status);
  o.set("source", e.source);
  o.set("line", e.line);
  o.set("stage", e.stage);
  o.set("status", e.status);
  o.set("context_json", e.context_json);
  return stringify(o);
}

bool decode(const std::string& text, event& e) {
  auto o = parse_object(text);
  if (!o || !o->has("id") || !o->has("type")) return false;
  try {
    e.id = str(o, "id");
    e.type = str(o, "type");
    e.occurred_at_ms = num<int64_t>(o, "occurred_at_ms");
    e.spec_id = str(o, "spec_id");
    e.task_id = str(o, "task_id");
    e.task_title = str(o, "task_title");
    e.from = str(o, "from");
    e.to = str(o, "to");
    e.raw_status = str(o, "raw_status");
    e.source = str(o, "source");
    e.line = num<int32_t>(o, "line");
    e.stage = str(o, "stage");
    e.status = str(o, "status");
    e.context_json = str(o, "context_json");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string encode(const delivery& d) {
  Poco::JSON::Object o;
  o.set("id", d.id);
  o.set("subscription", d.subscription);
  o.set("event_id", d.event_id);
  o.set("event_type", d.event_type);
  o.set("spec_id", d.spec_id);
  o.set("task_id", d.task_id);
  o.set("body", d.body);
  o.set("attempts", d.attempts);
  o.set("created_at_ms", d.created_at_ms);
  o.set("next_at_ms", d.next_at_ms);
  o.set("replay", d.replay);
  Poco::JSON::Array history;
  for (const auto& a : d.history) {
    Poco::JSON::Object h;
    h.set("attempt", a.attempt);
    h.set("at_ms", a.at_ms);
    h.set("status_code", a.status_code);
    h.set("error", a.error);
    h.set("latency_ms", a.latency_ms);
    history.add(h);
  }
  o.set("history", history);
  return stringify(o);
}

bool decode(const std::string& text, delivery& d) {
  auto o = parse_object(text);
  if (!o || !o->has("id") || !o->has("subscription")) return false;
  try {
    d.id = str(o, "id");
    d.subscription = str(o, "subscription");
    d.event_id = str(o, "event_id");
    d.event_type = str(o, "event_type");
    d.spec_id = str(o, "spec_id");
    d.task_id = str(o, "task_id");
    d.body = str(o, "body");
    d.attempts = num<int32_t>(o, "attempts");
    d.created_at_ms = num<int64_t>(o, "created_at_ms");
    d.next_at_ms = num<int64_t>(o, "next_at_ms");
    d.replay = o->has("replay") && o->getValue<bool>("replay");
    d.history.clear();
    if (auto h = o->getArray("history")) {
      for (size_t i = 0; i < h->size(); ++i) {
        auto a = h->getObject(static_cast<unsigned>(i));
        if (!a) continue;
        d.history.push_back({num<int32_t>(a, "attempt"), num<int64_t>(a, "at_ms"), num<int32_t>(a, "status_code"),
                             str(a, "error"), num<int64_t>(a, "latency_ms")});
      }
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string task_prefix(const std::string& file) { return "task/" + file + std::string(1, '\0'); }
std::string task_key(const std::string& file, const std::string& task_id) { return task_prefix(file) + task_id; }

}  // namespace spec_notify::store
