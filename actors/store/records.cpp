#include "actors/store/records.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <type_traits>
#include <variant>
#include <vector>

#include "actors/store/record_json.hpp"
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

// One member of a record: its JSON name and where it lives in the struct. `required` members must be
// present for decode (and peek) to accept the text; any other absent member reads as its default, which is
// how records written before that member existed are read (e.g. ordering_key and sequence).
template <class T>
struct field {
  const char* name;
  std::variant<std::string T::*, int64_t T::*, int32_t T::*, bool T::*, std::vector<attempt_record> T::*,
               event_context T::*>
      member;
  bool required = false;
};

// The tables: the order is the order of the members in the JSON text (kept as it always was).
const field<attempt_record> attempt_fields[] = {
    {"attempt", &attempt_record::attempt},         {"at_ms", &attempt_record::at_ms},
    {"status_code", &attempt_record::status_code}, {"error", &attempt_record::error},
    {"latency_ms", &attempt_record::latency_ms},
};
const field<event> event_fields[] = {
    {"id", &event::id, true},
    {"type", &event::type, true},
    {"occurred_at_ms", &event::occurred_at_ms},
    {"spec_id", &event::spec_id},
    {"task_id", &event::task_id},
    {"task_title", &event::task_title},
    {"from", &event::from},
    {"to", &event::to},
    {"raw_status", &event::raw_status},
    {"source", &event::source},
    {"line", &event::line},
    {"stage", &event::stage},
    {"status", &event::status},
    {"context_json", &event::context},  // the name from when it was JSON text in the event itself
};
const field<delivery> delivery_fields[] = {
    {"id", &delivery::id, true},
    {"subscription", &delivery::subscription, true},
    {"event_id", &delivery::event_id},
    {"event_type", &delivery::event_type},
    {"spec_id", &delivery::spec_id},
    {"task_id", &delivery::task_id},
    {"ordering_key", &delivery::ordering_key},
    {"sequence", &delivery::sequence},
    {"body", &delivery::body},
    {"attempts", &delivery::attempts},
    {"created_at_ms", &delivery::created_at_ms},
    {"next_at_ms", &delivery::next_at_ms},
    {"replay", &delivery::replay},
    {"history", &delivery::history},
};

template <class T, size_t N>
void write_record(std::string& out, const T& record, const field<T> (&fields)[N]);

// See event_context: "" is the one other value a hand-built member may hold.
std::string_view object_or_null(const std::string& json) {
  return json.empty() ? std::string_view("null") : std::string_view(json);
}

// The context as the JSON text {"telemetry":...,"consensus":...,"evidence":[...]} inside a string member,
// byte for byte what the differ stored when the event carried that text itself: state dirs written before
// and after read the same, and an older binary reads a newer record.
void write_context(std::string& out, const event_context& c) {
  std::string text;
  text.reserve(48 + c.telemetry.size() + c.consensus.size() + c.evidence.size() * 96);
  text += "{\"telemetry\":";
  text += object_or_null(c.telemetry);
  text += ",\"consensus\":";
  text += object_or_null(c.consensus);
  text += ",\"evidence\":[";
  for (size_t i = 0; i < c.evidence.size(); ++i) {
    if (i > 0) text += ',';
    util::append_json_string(text, c.evidence[i]);
  }
  text += "]}";
  util::append_json_string(out, text);
}

void write_history(std::string& out, const std::vector<attempt_record>& history) {
  out += '[';
  for (size_t i = 0; i < history.size(); ++i) {
    if (i > 0) out += ',';
    write_record(out, history[i], attempt_fields);
  }
  out += ']';
}

// Hand-written rather than Poco::JSON::Object::stringify: the Poco path escaped strings one character at a
// time through an ostream and dominated the burst profile (docs/benchmarks.md). Same keys, same JSON.
template <class T, size_t N>
void write_record(std::string& out, const T& record, const field<T> (&fields)[N]) {
  json_writer w(out);
  for (const auto& f : fields) {
    std::visit(
        [&](auto member) {
          using value_type = std::decay_t<decltype(record.*member)>;
          const auto& v = record.*member;
          if constexpr (std::is_same_v<value_type, std::string>) {
            w.str(f.name, v);
          } else if constexpr (std::is_same_v<value_type, bool>) {
            w.boolean(f.name, v);
          } else if constexpr (std::is_same_v<value_type, std::vector<attempt_record>>) {
            w.key(f.name);
            write_history(out, v);
          } else if constexpr (std::is_same_v<value_type, event_context>) {
            w.key(f.name);
            write_context(out, v);
          } else {
            w.num(f.name, v);
          }
        },
        f.member);
  }
  w.close();
}

// A size to reserve: the escaper may grow a string (UTF-8 repair, \u escapes) by about a quarter.
template <class T, size_t N>
size_t estimate(const T& record, const field<T> (&fields)[N]) {
  size_t n = 2;
  for (const auto& f : fields) {
    n += std::strlen(f.name) + 24;
    if (auto s = std::get_if<std::string T::*>(&f.member)) n += (record.**s).size() * 5 / 4;
    if (auto h = std::get_if<std::vector<attempt_record> T::*>(&f.member)) n += (record.**h).size() * 96;
    if (auto c = std::get_if<event_context T::*>(&f.member)) {  // escaped twice: quotes become \"
      const event_context& ctx = record.**c;
      n += 64 + (ctx.telemetry.size() + ctx.consensus.size() + ctx.evidence.size() * 96) * 3 / 2;
    }
  }
  return n;
}

template <class T, size_t N>
std::string encode_record(const T& record, const field<T> (&fields)[N]) {
  std::string out;
  out.reserve(estimate(record, fields));
  write_record(out, record, fields);
  return out;
}

// Reading a member converts as Poco's Dynamic::Var did when records were parsed with Poco::JSON (a number
// into a string member, "12" or true into a number member, null into the default), so every record that
// decoded before still decodes the same; anything else (an object where a string belongs) refuses the record.
bool assign(std::string& v, const json::value& j) {
  switch (j.type) {
    case json::kind::string:
      return json::unescape(j.raw, v);
    case json::kind::number: {
      int64_t n = 0;  // only integers, written as Poco's Var wrote them ("-0" -> "0")
      if (!json::to_integer(j.raw, INT64_MIN, INT64_MAX, n) ||
          j.raw.find_first_of(".eE") != std::string::npos)
        return false;
      v = std::to_string(n);
      return true;
    }
    case json::kind::boolean:
      v.assign(j.raw);
      return true;
    case json::kind::null:
      v.clear();
      return true;
    default:
      return false;
  }
}

bool read_integer(const json::value& j, int64_t lo, int64_t hi, int64_t& v) {
  switch (j.type) {
    case json::kind::number:
      return json::to_integer(j.raw, lo, hi, v);
    case json::kind::string: {
      // Poco's string -> number conversion takes plain integers only ("12", not "1.5" or "1e2").
      std::string text;
      return json::unescape(j.raw, text) && text.find_first_of(".eE") == std::string::npos &&
             json::to_integer(text, lo, hi, v);
    }
    case json::kind::boolean:
      v = j.raw == "true";
      return true;
    case json::kind::null:
      v = 0;
      return true;
    default:
      return false;
  }
}

bool assign(int64_t& v, const json::value& j) {
  return read_integer(j, INT64_MIN, INT64_MAX, v);
}

bool assign(int32_t& v, const json::value& j) {
  int64_t wide = 0;
  if (!read_integer(j, INT32_MIN, INT32_MAX, wide)) return false;
  v = static_cast<int32_t>(wide);
  return true;
}

bool assign(bool& v, const json::value& j) {
  int64_t n = 0;
  std::string text;
  switch (j.type) {
    case json::kind::boolean:
      v = j.raw == "true";
      return true;
    case json::kind::number:
      if (!json::to_integer(j.raw, INT64_MIN, INT64_MAX, n)) return false;
      v = n != 0;
      return true;
    case json::kind::string:
      if (!json::unescape(j.raw, text)) return false;
      std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
      v = !(text.empty() || text == "0" || text == "false");
      return true;
    case json::kind::null:
      v = false;
      return true;
    default:
      return false;
  }
}

template <class T, size_t N>
bool read_record(std::string_view text, T& record, const field<T> (&fields)[N]);

// Not an array (or null): no history. An element that is not an object is skipped; an attempt object with a
// member of the wrong type refuses the whole record.
bool assign(std::vector<attempt_record>& v, const json::value& j) {
  v.clear();
  if (j.type != json::kind::array) return true;
  return json::for_each_element(j.raw, [&](const json::value& element) {
    if (element.type != json::kind::object) return true;
    attempt_record r;
    if (!read_record(element.raw, r, attempt_fields)) return false;
    v.push_back(std::move(r));
    return true;
  });
}

// Appends value `v` as compact JSON the way the router re-rendered a parsed context before the context was
// structured (util::append_json_value over Poco's tree): member order kept, a repeated key once at its first
// position with its last value, strings re-escaped by util::append_json_string. So a context the differ
// wrote comes out as the same bytes, and a hand-edited or damaged one as the router would have sent it (where
// both readers accept the text). False on a lone surrogate (Poco refused those too).
bool append_compact(std::string& out, const json::value& v) {
  switch (v.type) {
    case json::kind::string: {
      std::string text;
      if (!json::unescape(v.raw, text)) return false;
      util::append_json_string(out, text);
      return true;
    }
    case json::kind::number: {
      int64_t n = 0;
      if (v.raw.find_first_of(".eE") == std::string_view::npos &&
          json::to_integer(v.raw, INT64_MIN, INT64_MAX, n)) {
        out += std::to_string(n);
        return true;
      }
      // Fractions, exponents, huge integers: never written by the differ. Rendered as Poco read them
      // (1.50 -> 1.5, 1e2 -> 100), i.e. as the router sent them; a parse of one number, not of the context.
      std::string poco = util::json_normalize(v.raw);
      // -0.0 comes back as "-0", which the next decode would read as the integer 0: one zero keeps a decoded
      // context a fixed point of encode + decode (the records fuzz target checks that).
      if (poco == "-0") poco = "0";
      out += poco;
      return !poco.empty();
    }
    case json::kind::boolean:
    case json::kind::null:
      out += v.raw;
      return true;
    case json::kind::array: {
      out += '[';
      bool first = true;
      const bool ok = json::for_each_element(v.raw, [&](const json::value& element) {
        if (!first) out += ',';
        first = false;
        return append_compact(out, element);
      });
      out += ']';
      return ok;
    }
    case json::kind::object: {
      std::vector<std::pair<std::string, std::string>> members;
      std::map<std::string, size_t> at;
      const bool ok = json::for_each_member(v.raw, [&](std::string_view key, const json::value& member) {
        std::string rendered;
        if (!append_compact(rendered, member)) return false;
        auto [it, fresh] = at.emplace(std::string(key), members.size());
        if (fresh)
          members.emplace_back(key, std::move(rendered));
        else
          members[it->second].second = std::move(rendered);
        return true;
      });
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out += ',';
        util::append_json_string(out, members[i].first);
        out += ':';
        out += members[i].second;
      }
      out += '}';
      return ok;
    }
  }
  return false;
}

// The context JSON text of an evt/ record (the only format ever written) as the router read it: the last
// telemetry / consensus member when it is an object, else null; the string entries of the last evidence
// array; and no context at all (null, null, []) for text that is empty, not one object, or not valid JSON.
// The text is valid UTF-8 already (the record reader refuses anything else, and unescape refuses lone
// surrogates), so the router's UTF-8 repair before parsing has nothing left to do here.
event_context read_context(const std::string& text) {
  event_context c;
  if (text.empty()) return c;
  const bool ok = json::for_each_member(text, [&](std::string_view key, const json::value& v) {
    if (key == "telemetry" || key == "consensus") {
      std::string& slot = key == "telemetry" ? c.telemetry : c.consensus;
      slot = "null";
      if (v.type != json::kind::object) return true;
      std::string object;
      if (!append_compact(object, v)) return false;
      slot = std::move(object);
    } else if (key == "evidence") {
      c.evidence.clear();
      if (v.type != json::kind::array) return true;
      return json::for_each_element(v.raw, [&](const json::value& item) {
        std::string path;
        if (item.type != json::kind::string) return true;
        if (!json::unescape(item.raw, path)) return false;
        c.evidence.push_back(std::move(path));
        return true;
      });
    }
    return true;
  });
  return ok ? c : event_context{};
}

// The member is read as the string it always was (so a number or null is taken, an object refuses the
// record, as before), then as the context text it holds.
bool assign(event_context& v, const json::value& j) {
  std::string text;
  if (!assign(text, j)) return false;
  v = read_context(text);
  return true;
}

template <class T, size_t N>
bool read_record(std::string_view text, T& record, const field<T> (&fields)[N]) {
  static_assert(N <= 64, "one bit per field");
  uint64_t seen = 0;
  const bool parsed = json::for_each_member(text, [&](std::string_view key, const json::value& v) {
    for (size_t k = 0; k < N; ++k) {
      if (key != fields[k].name) continue;
      seen |= uint64_t(1) << k;
      return std::visit([&](auto member) { return assign(record.*member, v); }, fields[k].member);
    }
    return true;  // a member this version does not know
  });
  if (!parsed) return false;
  for (size_t k = 0; k < N; ++k) {
    if (seen & (uint64_t(1) << k)) continue;
    if (fields[k].required) return false;
    std::visit(
        [&](auto member) {
          using value_type = std::decay_t<decltype(record.*member)>;
          record.*member = value_type{};
        },
        fields[k].member);
  }
  return true;
}

// Ids and names never need unescaping (they are made of [A-Za-z0-9_-]); a value with an escape, or of another
// type, makes the caller decode the whole record instead.
bool plain_string(const json::value& v, std::string& out) {
  if (v.type != json::kind::string || v.raw.find('\\') != std::string_view::npos) return false;
  out.assign(v.raw.substr(1, v.raw.size() - 2));
  return true;
}

bool plain_integer(const json::value& v, int64_t& out) {
  return v.type == json::kind::number && v.raw.find_first_of(".eE") == std::string_view::npos &&
         json::to_integer(v.raw, INT64_MIN, INT64_MAX, out);
}

// Reads the `wanted` members of `record` from the top level of `text` only, skipping every other value
// (the body, the history) without decoding it. Wanted members absent from the text keep their defaults.
template <class T, size_t N>
bool peek_record(const std::string& text, T& record, const field<T> (&fields)[N],
                 std::initializer_list<decltype(field<T>::member)> wanted) {
  static_assert(N <= 64, "one bit per field");
  uint64_t seen = 0;
  const bool parsed = json::for_each_member(text, [&](std::string_view key, const json::value& value) {
    for (size_t k = 0; k < N; ++k) {
      const auto& f = fields[k];
      if (key != f.name || std::find(wanted.begin(), wanted.end(), f.member) == wanted.end()) continue;
      bool ok = false;
      if (auto s = std::get_if<std::string T::*>(&f.member)) ok = plain_string(value, record.**s);
      if (auto n = std::get_if<int64_t T::*>(&f.member)) ok = plain_integer(value, record.**n);
      seen |= uint64_t(1) << k;
      return ok;
    }
    return true;
  });
  if (!parsed) return false;
  for (size_t k = 0; k < N; ++k) {
    const bool wanted_here = std::find(wanted.begin(), wanted.end(), fields[k].member) != wanted.end();
    if (fields[k].required && wanted_here && !(seen & (uint64_t(1) << k))) return false;
  }
  return true;
}

}  // namespace

std::string encode(const event& e) {
  return encode_record(e, event_fields);
}

bool decode(const std::string& text, event& e) {
  return read_record(text, e, event_fields);
}

std::string encode(const delivery& d) {
  return encode_record(d, delivery_fields);
}

bool decode(const std::string& text, delivery& d) {
  return read_record(text, d, delivery_fields);
}

bool peek_schedule_fields(const std::string& text, std::string& id, std::string& subscription,
                          int64_t& next_at_ms, std::string* ordering_key, int64_t* sequence) {
  delivery d;
  bool ok = ordering_key || sequence
                ? peek_record(text, d, delivery_fields,
                              {&delivery::id, &delivery::subscription, &delivery::next_at_ms,
                               &delivery::ordering_key, &delivery::sequence})
                : peek_record(text, d, delivery_fields,
                              {&delivery::id, &delivery::subscription, &delivery::next_at_ms});
  if (!ok) return false;
  id = std::move(d.id);
  subscription = std::move(d.subscription);
  next_at_ms = d.next_at_ms;
  if (ordering_key) *ordering_key = std::move(d.ordering_key);
  if (sequence) *sequence = d.sequence;
  return true;
}

}  // namespace spec_notify::store
