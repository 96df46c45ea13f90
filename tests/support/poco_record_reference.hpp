#pragma once
// The decoder records.cpp used until actors/store/record_json replaced it: Poco::JSON's parser and its Var
// conversions, kept as the reference the new reader is compared with (record_json_test, records_fuzz).
// Test code only.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>

#include "messages/delivery.hpp"

namespace spec_notify::testing {

inline bool poco_decode(const std::string& text, delivery& d) {
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    if (!o->has("id") || !o->has("subscription")) return false;
    auto str = [&](const char* k) { return o->has(k) && !o->isNull(k) ? o->getValue<std::string>(k) : ""; };
    auto i64 = [&](const char* k) { return o->has(k) && !o->isNull(k) ? o->getValue<int64_t>(k) : 0; };
    auto i32 = [&](const char* k) { return o->has(k) && !o->isNull(k) ? o->getValue<int32_t>(k) : 0; };
    d.id = str("id");
    d.subscription = str("subscription");
    d.event_id = str("event_id");
    d.event_type = str("event_type");
    d.spec_id = str("spec_id");
    d.task_id = str("task_id");
    d.ordering_key = str("ordering_key");
    d.sequence = i64("sequence");
    d.body = str("body");
    d.attempts = i32("attempts");
    d.created_at_ms = i64("created_at_ms");
    d.next_at_ms = i64("next_at_ms");
    d.replay = o->has("replay") && !o->isNull("replay") ? o->getValue<bool>("replay") : false;
    d.history.clear();
    if (auto h = o->getArray("history"))
      for (size_t i = 0; i < h->size(); ++i)
        if (auto a = h->getObject(static_cast<unsigned>(i))) {
          attempt_record r;
          auto ai64 = [&](const char* k) { return a->has(k) && !a->isNull(k) ? a->getValue<int64_t>(k) : 0; };
          auto ai32 = [&](const char* k) { return a->has(k) && !a->isNull(k) ? a->getValue<int32_t>(k) : 0; };
          r.attempt = ai32("attempt");
          r.at_ms = ai64("at_ms");
          r.status_code = ai32("status_code");
          r.error = a->has("error") && !a->isNull("error") ? a->getValue<std::string>("error") : "";
          r.latency_ms = ai64("latency_ms");
          d.history.push_back(r);
        }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

inline bool same(const delivery& a, const delivery& b) {
  bool eq = a.id == b.id && a.subscription == b.subscription && a.event_id == b.event_id &&
            a.event_type == b.event_type && a.spec_id == b.spec_id && a.task_id == b.task_id &&
            a.ordering_key == b.ordering_key && a.sequence == b.sequence && a.body == b.body &&
            a.attempts == b.attempts && a.created_at_ms == b.created_at_ms && a.next_at_ms == b.next_at_ms &&
            a.replay == b.replay && a.history.size() == b.history.size();
  for (size_t i = 0; eq && i < a.history.size(); ++i) {
    const auto &x = a.history[i], &y = b.history[i];
    eq = x.attempt == y.attempt && x.at_ms == y.at_ms && x.status_code == y.status_code &&
         x.error == y.error && x.latency_ms == y.latency_ms;
  }
  return eq;
}

}  // namespace spec_notify::testing
