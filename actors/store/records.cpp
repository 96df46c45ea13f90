#include "actors/store/records.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <sstream>

#include "actors/util/json_text.hpp"

namespace spec_notify::store {
namespace {

// Appends one flat JSON object member by member: {"k":v,...}. Strings go through util::append_json_string
// (escapes quotes, backslashes and control characters; invalid UTF-8 becomes U+FFFD).
class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(out) { out_ += '{'; }
  void key(const char* k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += k;
    out_ += "\":";
  }
  void str(const char* k, const std::string& v) {
    key(k);
    util::append_json_string(out_, v);
  }
  void num(const char* k, int64_t v) {
    key(k);
    out_ += std::to_string(v);
  }
  void boolean(const char* k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

// Skips one JSON value starting at text[i] (after white space); returns the index just past it, or npos.
size_t skip_value(const std::string& t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r')) ++i;
  if (i >= t.size()) return std::string::npos;
  if (t[i] == '"') {
    for (++i; i < t.size(); ++i) {
      if (t[i] == '\\')
        ++i;
      else if (t[i] == '"')
        return i + 1;
    }
    return std::string::npos;
  }
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c == '"') {
        i = skip_value(t, i);
        if (i == std::string::npos) return i;
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string::npos;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n') ++i;
  return i;
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
  // Hand-written rather than Poco::JSON::Object::stringify: the Poco path escaped strings one character at a
  // time through an ostream and dominated the burst profile (docs/benchmarks.md). Same keys, same JSON.
  std::string out;
  out.reserve(256 + e.task_title.size() + e.context_json.size() * 5 / 4);
  json_writer w(out);
  w.str("id", e.id);
  w.str("type", e.type);
  w.num("occurred_at_ms", e.occurred_at_ms);
  w.str("spec_id", e.spec_id);
  w.str("task_id", e.task_id);
  w.str("task_title", e.task_title);
  w.str("from", e.from);
  w.str("to", e.to);
  w.str("raw_status", e.raw_status);
  w.str("source", e.source);
  w.num("line", e.line);
  w.str("stage", e.stage);
  w.str("status", e.status);
  w.str("context_json", e.context_json);
  w.close();
  return out;
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
  std::string out;
  out.reserve(320 + d.body.size() * 5 / 4 + d.history.size() * 96);
  json_writer w(out);
  w.str("id", d.id);
  w.str("subscription", d.subscription);
  w.str("event_id", d.event_id);
  w.str("event_type", d.event_type);
  w.str("spec_id", d.spec_id);
  w.str("task_id", d.task_id);
  w.str("ordering_key", d.ordering_key);
  w.num("sequence", d.sequence);
  w.str("body", d.body);
  w.num("attempts", d.attempts);
  w.num("created_at_ms", d.created_at_ms);
  w.num("next_at_ms", d.next_at_ms);
  w.boolean("replay", d.replay);
  w.key("history");
  out += '[';
  for (size_t i = 0; i < d.history.size(); ++i) {
    const auto& a = d.history[i];
    if (i > 0) out += ',';
    json_writer h(out);
    h.num("attempt", a.attempt);
    h.num("at_ms", a.at_ms);
    h.num("status_code", a.status_code);
    h.str("error", a.error);
    h.num("latency_ms", a.latency_ms);
    h.close();
  }
  out += ']';
  w.close();
  return out;
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
    // Absent in records written before ordering existed: such a delivery waits for no other.
    d.ordering_key = o->has("ordering_key") ? str(o, "ordering_key") : std::string();
    d.sequence = o->has("sequence") ? num<int64_t>(o, "sequence") : 0;
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
        d.history.push_back({num<int32_t>(a, "attempt"), num<int64_t>(a, "at_ms"),
                             num<int32_t>(a, "status_code"), str(a, "error"), num<int64_t>(a, "latency_ms")});
      }
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool peek_schedule_fields(const std::string& text, std::string& id, std::string& subscription,
                          int64_t& next_at_ms, std::string* ordering_key, int64_t* sequence) {
  // Walks the top-level members only; the values we need are plain (ids and names never need unescaping:
  // they are made of [A-Za-z0-9_-]), everything else (the body, the history) is skipped without decoding.
  size_t i = 0;
  while (i < text.size() && text[i] != '{') ++i;
  if (i == text.size()) return false;
  ++i;
  bool have_id = false, have_sub = false;
  next_at_ms = 0;
  if (ordering_key) ordering_key->clear();
  if (sequence) *sequence = 0;
  auto integer = [](const std::string& v, int64_t& out) {
    char* end = nullptr;
    out = std::strtoll(v.c_str(), &end, 10);
    return !v.empty() && *end == '\0';
  };
  for (;;) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == ',' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
      ++i;
    if (i >= text.size()) return false;
    if (text[i] == '}') break;
    if (text[i] != '"') return false;
    const size_t key_end = skip_value(text, i);
    if (key_end == std::string::npos) return false;
    const std::string key = text.substr(i + 1, key_end - i - 2);
    i = key_end;
    while (i < text.size() && (text[i] == ' ' || text[i] == ':')) ++i;
    const size_t value_end = skip_value(text, i);
    if (value_end == std::string::npos) return false;
    const std::string value = text.substr(i, value_end - i);
    i = value_end;
    auto plain_string = [](const std::string& v, std::string& out) {
      if (v.size() < 2 || v.front() != '"' || v.back() != '"' || v.find('\\') != std::string::npos)
        return false;
      out = v.substr(1, v.size() - 2);
      return true;
    };
    if (key == "id") {
      if (!plain_string(value, id)) return false;
      have_id = true;
    } else if (key == "subscription") {
      if (!plain_string(value, subscription)) return false;
      have_sub = true;
    } else if (key == "next_at_ms") {
      if (!integer(value, next_at_ms)) return false;
    } else if (key == "ordering_key" && ordering_key) {
      // Task ids come from the repo: a key needing escapes makes the caller decode the whole record.
      if (!plain_string(value, *ordering_key)) return false;
    } else if (key == "sequence" && sequence) {
      if (!integer(value, *sequence)) return false;
    }
  }
  return have_id && have_sub;
}

std::string task_prefix(const std::string& file) {
  return "task/" + file + std::string(1, '\0');
}
std::string task_key(const std::string& file, const std::string& task_id) {
  return task_prefix(file) + task_id;
}

}  // namespace spec_notify::store
