#pragma once
// The body of one subscription's deliveries: the standard payload v1 JSON (render_payload), or a Mustache
// template (key "template", else the chat format's built-in one) rendered over the payload v1 fields plus the
// helper fields of chat_format.hpp. Rendered once at fan-out and stored in the delivery, like the standard
// body, so every attempt and replay sends identical bytes.
//
// Data model: the standard payload is rendered, parsed, and each JSON value becomes Mustache data: objects
// (spec, task, telemetry, consensus) are dotted names ({{task.title}}), arrays (evidence,
// consensus.conflict_points) are lists ({{#evidence}}{{.}}{{/evidence}}), strings and numbers are text, true
// and false are booleans (sections only: they render as nothing), null is false
// ({{#telemetry}}...{{/telemetry}} skips a missing one). Every {{value}} is written JSON-string-escaped
// (quotes, backslashes, control characters; invalid UTF-8 was already repaired to U+FFFD by the payload),
// never HTML-escaped, so `"text": "{{task.title}}"` is valid JSON whatever the title holds; a value is never
// re-read as a template.
// {{{value}}} and {{&value}} write it raw (meant for {{{payload_json}}}).
//
// Not thread-safe: one instance per user (the router's fan_out, one CLI command).
#include <cstdint>
#include <kainjow/mustache.hpp>
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "messages/event.hpp"
#include "messages/status.hpp"

namespace spec_notify::router {

class body_template {
 public:
  // The renderer of `sub`: standard, or its template text (sub.template_text, else the built-in one of
  // sub.format). A failure when that text does not parse ("<source>:<line>:<col>: <why>").
  static result<std::unique_ptr<body_template>> for_subscription(const config::subscription_settings& sub);

  // The delivery body: render_payload's JSON for standard, else the rendered template. A template that
  // fails while rendering (it parsed, so only a partial or lambda could) yields the standard payload.
  std::string render(const event& e, const std::string& delivery_id, int64_t sequence,
                     const std::string& ordering_key);

  // Renders the template over one payload v1 JSON text (check-config's samples, tests). A failure when the
  // payload is not a JSON object or the template fails; for standard, payload_json itself.
  result<std::string> render_json(const std::string& payload_json);

  bool standard() const { return !tmpl_; }
  // "template /path/x.mustache" or "built-in slack template" (for messages); "" for standard.
  const std::string& source() const { return source_; }

 private:
  body_template() = default;
  config::body_format format_ = config::body_format::standard;
  std::unique_ptr<kainjow::mustache::mustache> tmpl_;
  std::string source_;
};

// `text` as the inside of a JSON string literal (no quotes): util::append_json_string's escaping.
std::string json_escape_inner(const std::string& text);

// One JSON text as Mustache data (see the data model above); false when it does not parse.
bool json_to_data(const std::string& json_text, kainjow::mustache::data& out);

}  // namespace spec_notify::router
