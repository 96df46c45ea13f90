#pragma once
// Payload v1: the JSON body every delivery carries (contract "Payload v1", schema in
// docs/payload-v1.schema.json). Pure functions, no state, thread-safe. The router renders the body once at
// fan-out and stores it in the delivery, so every attempt and replay sends identical bytes.
//
// Also hosts the small JSON text helpers the evidence writer shares (string escaping with UTF-8 repair,
// re-rendering untrusted JSON text), so there is one escaping routine in the project.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/event.hpp"

namespace spec_notify::router {

// Compact payload v1 JSON. Key order is fixed:
//   schema_version, type, event_id, delivery_id, sequence, ordering_key, occurred_at, spec ({id,key} or
//   null), task {id,title,from,to,raw_status,source,line}   -- task events, and test events with a task_id |
//   stage, status                                   -- stage/pipeline events, and test events without one
//   telemetry, consensus, evidence
// `from` is null when e.from is empty. telemetry/consensus/evidence come from e.context_json
// ({"telemetry":obj|null,"consensus":obj|null,"evidence":[str...]}); a missing or invalid context, or a
// member of the wrong type, renders as null / null / []. Non-string evidence entries are dropped. The output
// is always valid UTF-8 JSON: invalid input bytes become U+FFFD, control characters are escaped.
// `sequence` and `ordering_key` place the delivery among its subscription's deliveries of that key
// (router/ordering.hpp).
std::string render_payload(const spec_notify::event& e, const std::string& delivery_id, int64_t sequence,
                           const std::string& ordering_key);

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

}  // namespace spec_notify::router
