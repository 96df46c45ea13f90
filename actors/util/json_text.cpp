#include "actors/util/json_text.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

namespace spec_notify::util {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 table 3-7), 0 when ill-formed.
// Stores the code point in `cp`.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

constexpr std::string_view replacement_char = "\xEF\xBF\xBD";

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm; proleptic Gregorian, any int64 day count).
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_redacted(const std::string& key, const std::vector<std::string>& redact_keys) {
  for (const auto& k : redact_keys)
    if (iequals_ascii(k, key)) return true;
  return false;
}

void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";  // JSON has no Inf/NaN; only reachable through out-of-range literals such as 1e999
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace

// Writes a parsed Poco value back as compact JSON through our own escaper, so untrusted strings are repaired
// exactly like the rest of the payload. Depth is bounded by the parser's own limit.
void append_json_value(std::string& out, const Poco::Dynamic::Var& v,
                       const std::vector<std::string>& redact_keys) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  if (v.isEmpty()) {
    out += "null";
  } else if (v.type() == typeid(Object::Ptr)) {
    const auto obj = v.extract<Object::Ptr>();
    std::set<std::string> seen;
    out += '{';
    for (const auto& name : obj->getNames()) {
      if (!seen.insert(name).second) continue;  // Poco lists a repeated key twice; its value is the last one
      if (seen.size() > 1) out += ',';
      append_json_string(out, name);
      out += ':';
      if (is_redacted(name, redact_keys))
        out += "\"[redacted]\"";
      else
        append_json_value(out, obj->get(name), redact_keys);
    }
    out += '}';
  } else if (v.type() == typeid(Array::Ptr)) {
    const auto arr = v.extract<Array::Ptr>();
    out += '[';
    for (size_t i = 0; i < arr->size(); ++i) {
      if (i > 0) out += ',';
      append_json_value(out, arr->get(static_cast<unsigned>(i)), redact_keys);
    }
    out += ']';
  } else if (v.isString()) {
    append_json_string(out, v.extract<std::string>());
  } else if (v.isBoolean()) {
    out += v.convert<bool>() ? "true" : "false";
  } else if (v.isInteger()) {
    out +=
        v.isSigned() ? std::to_string(v.convert<Poco::Int64>()) : std::to_string(v.convert<Poco::UInt64>());
  } else if (v.isNumeric()) {
    append_number(out, v.convert<double>());
  } else {
    out += "null";
  }
}

// The one place Poco's JSON parser is called: exceptions become "no value".
std::optional<Poco::Dynamic::Var> parse_json(std::string_view text) {
  try {
    // Repair UTF-8 first so the parser never sees (and never rejects or passes through) broken bytes.
    // Poco only accepts an object or array at the top: wrap, then insist on exactly one element (so "1,2"
    // stays invalid).
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
    const auto wrapped = parser.parse("[" + sanitize_utf8(text) + "]");
    const auto arr = wrapped.extract<Poco::JSON::Array::Ptr>();
    if (arr && arr->size() == 1) return arr->get(0);
  } catch (const Poco::Exception&) {
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const size_t len = utf8_sequence(text, i, cp);
    if (len == 0) {
      out += replacement_char;
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

namespace {

// Bytes copied as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> plain_bytes = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  for (size_t i = 0; i < text.size();) {
    // The common case in one append: a run of printable ASCII that needs no escape (a spooled record's body
    // is ~1 kB of it between quotes; one append per character was 9 % of a burst's instructions). One table
    // look-up per byte, and the quotes of a JSON body escaped here without the UTF-8 decoder.
    size_t run = i;
    while (run < text.size() && plain_bytes[static_cast<unsigned char>(text[run])]) ++run;
    if (run > i) {
      out.append(text.data() + i, run - i);
      i = run;
      if (i == text.size()) break;
    }
    if (text[i] == '"' || text[i] == '\\') {
      out += '\\';
      out += text[i++];
      continue;
    }
    uint32_t cp = 0;
    const size_t len = utf8_sequence(text, i, cp);
    if (len == 0) {
      out += replacement_char;
      ++i;
      continue;
    }
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // U+2028/2029 are legal JSON but break JavaScript string literals in receivers that eval or embed.
        if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029) {
          char buf[16];  // six characters; sized for any unsigned, which the compiler cannot rule out
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
          out += buf;
        } else {
          out.append(text.substr(i, len));
        }
    }
    i += len;
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string json_normalize(std::string_view json_text, const std::vector<std::string>& redact_keys) {
  const auto value = parse_json(json_text);
  if (!value) return "";
  std::string out;
  append_json_value(out, *value, redact_keys);
  return out;
}

std::string iso8601_ms(int64_t unix_ms) {
  constexpr int64_t ms_per_day = 86400000;
  int64_t days = unix_ms / ms_per_day;
  int64_t rem = unix_ms % ms_per_day;
  if (rem < 0) {  // floor division, so times before 1970 land on the previous day
    rem += ms_per_day;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  const auto secs = static_cast<int>(rem / 1000);
  if (y < 0 || y > 9999) {  // never for a real time: snprintf's general form
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d,
                  secs / 3600, secs / 60 % 60, secs % 60, static_cast<int>(rem % 1000));
    return buf;
  }
  // By hand: every evidence record and payload formats one or two of these, and snprintf cost ~3,600
  // instructions each (2 % of a burst).
  char out[] = "0000-00-00T00:00:00.000Z";  // 24 characters and the terminating NUL
  auto put = [&out](int at, int width, int64_t v) {
    for (int k = at + width - 1; k >= at; --k, v /= 10) out[k] = static_cast<char>('0' + v % 10);
  };
  put(0, 4, y);
  put(5, 2, m);
  put(8, 2, d);
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  put(20, 3, rem % 1000);
  return std::string(out, 24);
}

}  // namespace spec_notify::util
