#include "actors/store/record_json.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace spec_notify::store::json {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr int max_depth = 64;

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the well-formed UTF-8 sequence at t[i] (lead byte >= 0x80), or 0 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF). Our encoder writes only valid UTF-8, and Poco refused the rest.
size_t utf8_length(std::string_view t, size_t i) {
  const auto b = [&](size_t k) { return i + k < t.size() ? static_cast<unsigned char>(t[i + k]) : 0u; };
  const unsigned c = b(0);
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The string starting at t[i] (its opening quote): index past the closing quote, or npos. Raw control
// characters and malformed UTF-8 are not allowed inside a JSON string; escapes are checked for shape here,
// resolved by unescape.
size_t scan_string(std::string_view t, size_t i) {
  for (++i; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == '"') return i + 1;
    if (c < 0x20) return npos;
    if (c >= 0x80) {
      const size_t n = utf8_length(t, i);
      if (n == 0) return npos;
      i += n - 1;
      continue;
    }
    if (c != '\\') continue;
    if (++i >= t.size()) return npos;
    switch (t[i]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        break;
      case 'u': {
        // A surrogate must come as a pair (high, then low), as every JSON parser checks.
        const auto code = [&](size_t at) -> long {
          if (at + 4 >= t.size()) return -1;
          long v = 0;
          for (size_t k = 1; k <= 4; ++k) {
            const int h = hex_value(t[at + k]);
            if (h < 0) return -1;
            v = v * 16 + h;
          }
          return v;
        };
        const long cp = code(i);
        if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return npos;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (i + 2 >= t.size() || t[i + 1] != '\\' || t[i + 2] != 'u') return npos;
          const long low = code(i + 2);
          if (low < 0xDC00 || low > 0xDFFF) return npos;
          i += 6;
        }
        break;
      }
      default:
        return npos;
    }
  }
  return npos;
}

// An integer literal must fit 64 bits (int64, or uint64 when positive), as Poco's parser requires.
bool integer_fits(std::string_view digits, bool negative) {
  if (negative) {
    int64_t v = 0;
    const std::string text = "-" + std::string(digits);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size();
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return ec == std::errc() && end == digits.data() + digits.size();
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
size_t scan_number(std::string_view t, size_t i) {
  const bool negative = i < t.size() && t[i] == '-';
  if (negative) ++i;
  const size_t digits = i;
  if (i >= t.size() || !is_digit(t[i])) return npos;
  if (t[i] == '0')
    ++i;
  else
    while (i < t.size() && is_digit(t[i])) ++i;
  const size_t integer_end = i;
  bool fraction_or_exponent = false;
  if (i < t.size() && t[i] == '.') {
    fraction_or_exponent = true;
    if (++i >= t.size() || !is_digit(t[i])) return npos;
    while (i < t.size() && is_digit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    fraction_or_exponent = true;
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= t.size() || !is_digit(t[i])) return npos;
    while (i < t.size() && is_digit(t[i])) ++i;
  }
  if (!fraction_or_exponent && !integer_fits(t.substr(digits, integer_end - digits), negative)) return npos;
  // A literal beyond the double range (1e309, 1795000e030001) is a syntax error to Poco's parser too; one
  // below it (1e-400) reads as 0 in both.
  if (fraction_or_exponent) {
    const std::string literal(t.substr(negative ? digits - 1 : digits, i - (negative ? digits - 1 : digits)));
    errno = 0;
    const double v = std::strtod(literal.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(v)) return npos;
  }
  return i;
}

size_t scan_value(std::string_view t, size_t i, value& out, int depth);

// The members (objects) or elements (arrays) of a container starting at t[i]; index past its close.
size_t scan_container(std::string_view t, size_t i, int depth) {
  if (depth > max_depth) return npos;
  const bool object = t[i] == '{';
  const char close = object ? '}' : ']';
  i = skip_space(t, i + 1);
  if (i < t.size() && t[i] == close) return i + 1;
  for (;;) {
    if (object) {
      if (i >= t.size() || t[i] != '"') return npos;
      i = scan_string(t, i);
      if (i == npos) return npos;
      i = skip_space(t, i);
      if (i >= t.size() || t[i] != ':') return npos;
      i = skip_space(t, i + 1);
    }
    value ignored;
    i = scan_value(t, i, ignored, depth + 1);
    if (i == npos) return npos;
    i = skip_space(t, i);
    if (i >= t.size()) return npos;
    if (t[i] == close) return i + 1;
    if (t[i] != ',') return npos;
    i = skip_space(t, i + 1);
  }
}

size_t scan_value(std::string_view t, size_t i, value& out, int depth) {
  i = skip_space(t, i);
  if (i >= t.size()) return npos;
  size_t end = npos;
  const char c = t[i];
  if (c == '"') {
    out.type = kind::string;
    end = scan_string(t, i);
  } else if (c == '{' || c == '[') {
    out.type = c == '{' ? kind::object : kind::array;
    end = scan_container(t, i, depth);
  } else if (c == '-' || is_digit(c)) {
    out.type = kind::number;
    end = scan_number(t, i);
  } else {
    for (const auto& [word, type] : {std::pair<std::string_view, kind>{"true", kind::boolean},
                                     {"false", kind::boolean},
                                     {"null", kind::null}})
      if (t.substr(i, word.size()) == word) {
        out.type = type;
        end = i + word.size();
      }
  }
  if (end == npos) return npos;
  out.raw = t.substr(i, end - i);
  return end;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint32_t hex4(std::string_view s) {
  uint32_t v = 0;
  for (char c : s) v = v * 16 + static_cast<uint32_t>(hex_value(c));
  return v;
}

}  // namespace

size_t skip_space(std::string_view t, size_t i) {
  while (i < t.size() && is_space(t[i])) ++i;
  return i;
}

size_t read_value(std::string_view text, size_t i, value& out) {
  return scan_value(text, i, out, 0);
}

size_t read_member(std::string_view t, size_t i, std::string& key, value& v) {
  if (i >= t.size() || t[i] != '"') return npos;
  const size_t key_end = scan_string(t, i);
  if (key_end == npos || !unescape(t.substr(i, key_end - i), key)) return npos;
  i = skip_space(t, key_end);
  if (i >= t.size() || t[i] != ':') return npos;
  return read_value(t, i + 1, v);
}

bool unescape(std::string_view raw, std::string& out) {
  out.clear();
  if (raw.size() < 2) return false;
  const std::string_view s = raw.substr(1, raw.size() - 2);
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    // Copy the run up to the next escape in one go: bodies are long and mostly plain.
    size_t next = s.find('\\', i);
    if (next == npos) next = s.size();
    out.append(s.data() + i, next - i);
    if (next == s.size()) break;
    i = next + 1;
    const char e = s[i++];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = hex4(s.substr(i, 4));
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
          const uint32_t low = hex4(s.substr(i + 2, 4));
          if (low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += e;
        break;  // " \ /: scan_string allowed nothing else
    }
  }
  return true;
}

bool to_integer(std::string_view raw, int64_t lo, int64_t hi, int64_t& out) {
  if (raw.find_first_of(".eE") == npos) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
    if (ec != std::errc() || end != raw.data() + raw.size() || v < lo || v > hi) return false;
    out = v;
    return true;
  }
  const std::string text(raw);
  errno = 0;
  const double d = std::strtod(text.c_str(), nullptr);
  if (errno != 0 || !std::isfinite(d) || d < static_cast<double>(lo) || d >= static_cast<double>(hi))
    return false;
  out = static_cast<int64_t>(d);
  return true;
}

}  // namespace spec_notify::store::json
