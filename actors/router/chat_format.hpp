#pragma once
// The helper fields every body template may use beside the payload v1 fields, and the built-in chat
// templates (actors/router/templates/*.mustache, compiled in). The chat formats are nothing but those
// templates: their length limits hold because every helper field is cut to a byte budget here, on a UTF-8
// boundary, with an ellipsis (bytes bound every way a service counts characters: code points, UTF-16 units).
// Documented in docs/configuration.md ("Payload formats and templates"). Pure functions, thread-safe.
#include <cstddef>
#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace spec_notify::router {

// Byte budgets of the helper fields (before JSON escaping; the "…" included).
inline constexpr size_t kTitleShortBytes = 200;  // task.title_short
inline constexpr size_t kTextTitleBytes = 250;   // text.title (Discord embed titles: 256 characters)
inline constexpr size_t kTextSummaryBytes = 400;
inline constexpr size_t kTextLineBytes = 300;       // text.consensus, text.location
inline constexpr size_t kTextTelemetryBytes = 600;  // text.telemetry (a long path)
inline constexpr size_t kTextPointBytes = 200;      // each of text.points
inline constexpr size_t kTextPoints = 5;            // at most this many text.points

// The built-in template of a chat format; empty for standard.
std::string_view builtin_template(config::body_format format);

// `text` (valid UTF-8) cut to at most `max_bytes` bytes: unchanged when it fits, else its longest prefix that
// ends on a code point boundary and leaves room for "…" (U+2026), then "…". REQUIRES: max_bytes >= 3.
std::string truncate_utf8(std::string_view text, size_t max_bytes);

// Adds the helper fields to `data`, the payload v1 fields of one delivery as Mustache data (body_template):
//   is_task, is_stage, is_pipeline, is_conflict, is_test   booleans (sections) naming the event type
//   task.title_short                                        the title cut to kTitleShortBytes (task events)
//   text.title, text.summary, text.footer                   always set: a heading, a one-line summary, and
//                                                           "<type> · <delivery_id>"
//   text.consensus, text.telemetry, text.location           one line each, or false when there is none
//   text.points (list of strings), text.points_more         the first kTextPoints conflicting points of a
//                                                           consensus conflict, "… and N more" (or false)
//   payload_json                                            the standard payload, for {{{payload_json}}}
// text.* are written for `format`: slack escapes &, < and > as &amp; &lt; &gt; (Slack's mrkdwn, so a title
// cannot mention @channel or forge a link); google-chat puts U+200B after each "<" (no <users/all>
// mention); the others are plain text (discord's template turns mentions off with allowed_mentions).
// Control characters in text.* become spaces. REQUIRES: `data` is body_template's conversion of
// `payload_json` (an object).
void add_helper_fields(kainjow::mustache::data& data, const std::string& payload_json,
                       config::body_format format);

}  // namespace spec_notify::router
