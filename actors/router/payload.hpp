#pragma once
// Payload v1: the JSON body every delivery carries (contract "Payload v1", schema in
// docs/payload-v1.schema.json). Pure functions, no state, thread-safe. The router renders the body once at
// fan-out and stores it in the delivery, so every attempt and replay sends identical bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/util/json_text.hpp"
#include "messages/event.hpp"

namespace spec_notify::router {

// Compact payload v1 JSON. Key order is fixed:
//   schema_version, type, event_id, delivery_id, sequence, ordering_key, occurred_at, spec ({id,key} or
//   null), task {id,title,from,to,raw_status,source,line}   -- task events, and test events with a task_id |
//   stage, status                                   -- stage/pipeline/consensus-conflict events, and test
//                                                      events without a task_id
//   telemetry, consensus, evidence
// A spec-auto.consensus.conflict event's consensus object (from its context, built by the differ) also
// carries conflict_points, conflicts_truncated, agents, agents_truncated and telemetry (the pointer); when
// its context has none (lost from a damaged evt/ record) it is rebuilt from the event (stage, status, path)
// with empty lists, never null.
// `from` is null when e.from is empty. telemetry/consensus/evidence are e.context's: its two objects are
// copied as they are (REQUIRES: event_context's invariant, "null" or compact JSON written by our code; ""
// renders as null), its paths are escaped. The output is always valid UTF-8 JSON: invalid input bytes become
// U+FFFD, control characters are escaped.
// `sequence` and `ordering_key` place the delivery among its subscription's deliveries of that key
// (router/ordering.hpp).
std::string render_payload(const spec_notify::event& e, const std::string& delivery_id, int64_t sequence,
                           const std::string& ordering_key);

// The JSON text helpers live in actors/util/json_text.hpp; re-exported for the CLI and tests that build
// payloads.
using util::append_json_string;
using util::iso8601_ms;
using util::json_normalize;
using util::json_string;
using util::sanitize_utf8;

}  // namespace spec_notify::router
