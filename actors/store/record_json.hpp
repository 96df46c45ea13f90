#pragma once
// A small strict reader for the JSON objects the store writes (records.cpp): one pass over the text, no
// document tree. Poco::JSON's parser built a tree of Dynamic::Var for every spooled record the deliverer read
// back, once per attempt, and was the largest single cost of a burst (docs/benchmarks.md, profile). Only what
// records need: objects, arrays, strings (every JSON escape, surrogate pairs), numbers, true/false/null.
// Malformed JSON is refused, never guessed at; the fuzz target records_fuzz compares it with Poco's parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace spec_notify::store::json {

enum class kind { string, number, boolean, null, object, array };

// One value as it stands in the text: `raw` spans it exactly (quotes and brackets included).
struct value {
  kind type = kind::null;
  std::string_view raw;
};

// Reads the value that starts at text[i] (after white space) into `out`; returns the index just past it, or
// npos when the text is not valid JSON there (nesting deeper than 64 levels included).
size_t read_value(std::string_view text, size_t i, value& out);

// The whole text is one object (white space around it allowed): calls member(key, value) for each member in
// order until it returns false. False when the text is malformed or `member` returned false. Keys are
// unescaped; values are left raw for the callee.
template <class F>
bool for_each_member(std::string_view object_raw, F&& member);
// Same for the elements of an array value.
template <class F>
bool for_each_element(std::string_view array_raw, F&& element);

// The characters of a string value (raw, with its quotes), escapes resolved. False on a lone surrogate.
bool unescape(std::string_view raw, std::string& out);
// A number value (text that read_value accepted as a number) as an integer: false when not in [lo, hi].
// "1.0"/"1e2" read as doubles and truncated, as Poco's Var conversion did. Without a '.', 'e' or 'E' any text
// is read strictly as a decimal integer (false for anything else).
bool to_integer(std::string_view raw, int64_t lo, int64_t hi, int64_t& out);

// ---- implementation details of the templates above
size_t skip_space(std::string_view text, size_t i);
// Reads `key: value` at i (i at the key's quote); returns the index past the value, or npos.
size_t read_member(std::string_view text, size_t i, std::string& key, value& v);

template <class F>
bool for_each_member(std::string_view t, F&& member) {
  size_t i = skip_space(t, 0);
  if (i >= t.size() || t[i] != '{') return false;
  i = skip_space(t, i + 1);
  std::string key;
  if (i < t.size() && t[i] == '}') return skip_space(t, i + 1) == t.size();
  for (;;) {
    value v;
    i = read_member(t, i, key, v);
    if (i == std::string_view::npos || !member(std::string_view(key), v)) return false;
    i = skip_space(t, i);
    if (i >= t.size()) return false;
    if (t[i] == '}') return skip_space(t, i + 1) == t.size();
    if (t[i] != ',') return false;
    i = skip_space(t, i + 1);
  }
}

template <class F>
bool for_each_element(std::string_view t, F&& element) {
  size_t i = skip_space(t, 0);
  if (i >= t.size() || t[i] != '[') return false;
  i = skip_space(t, i + 1);
  if (i < t.size() && t[i] == ']') return skip_space(t, i + 1) == t.size();
  for (;;) {
    value v;
    i = read_value(t, i, v);
    if (i == std::string_view::npos || !element(v)) return false;
    i = skip_space(t, i);
    if (i >= t.size()) return false;
    if (t[i] == ']') return skip_space(t, i + 1) == t.size();
    if (t[i] != ',') return false;
    i = skip_space(t, i + 1);
  }
}

}  // namespace spec_notify::store::json
