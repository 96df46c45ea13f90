#pragma once
// JSON text helpers shared by every stage that writes JSON by hand (payload, store records, evidence, SPEC
// context): one escaping routine (with UTF-8 repair) in the project, and the one place Poco's JSON parser is
// called. Pure functions, thread-safe.
#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spec_notify::util {

// UTC timestamp with milliseconds: 2026-11-25T01:02:03.456Z. Works for any int64 (negative = before 1970).
std::string iso8601_ms(int64_t unix_ms);

// --- JSON text helpers -------------------------------------------------------------------------------------

// `text` with every byte that is not part of a well-formed UTF-8 sequence (overlongs, surrogates, > U+10FFFF,
// truncated sequences) replaced by U+FFFD.
std::string sanitize_utf8(std::string_view text);

// Appends `text` as a JSON string literal (quotes included): UTF-8 repaired as in sanitize_utf8, `"` and `\`
// escaped, control characters (< 0x20, 0x7F) and U+2028/U+2029 written as \uXXXX or the short escapes.
void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

// Re-renders one JSON value given as text: compact, member order kept (a repeated key appears once, at its
// first position, with its last value), every string repaired/escaped as above. Members whose key equals one
// of `redact_keys` (ASCII case-insensitive, at any depth) get the value "[redacted]". Returns "" when
// `json_text` is not valid JSON (parse errors never escape as exceptions).
std::string json_normalize(std::string_view json_text, const std::vector<std::string>& redact_keys = {});

// Parses one JSON value (any type at the top; UTF-8 repaired first). nullopt when invalid: parse errors
// never escape as exceptions.
std::optional<Poco::Dynamic::Var> parse_json(std::string_view text);

// Appends a parsed value as compact JSON, strings escaped as by append_json_string, members named in
// `redact_keys` (ASCII case-insensitive, any depth) as "[redacted]".
void append_json_value(std::string& out, const Poco::Dynamic::Var& v,
                       const std::vector<std::string>& redact_keys);

}  // namespace spec_notify::util
