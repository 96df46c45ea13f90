#include "actors/router/chat_format.hpp"

// Generated at build time from actors/router/templates/*.mustache (CMakeLists.txt), in the build tree.
#include "actors/router/builtin_templates.hpp"

namespace spec_notify::router {

namespace {

using kainjow::mustache::data;

// The string at dotted `path` of `d`, or "" (missing, null, not a string).
std::string text_at(const data& d, std::initializer_list<const char*> path) {
  const data* cur = &d;
  for (const char* name : path) {
    if (!cur->is_object()) return "";
    cur = cur->get(name);
    if (!cur) return "";
  }
  return cur->is_string() ? cur->string_value() : "";
}

const data* object_at(const data& d, const char* name) {
  const data* o = d.is_object() ? d.get(name) : nullptr;
  return o && o->is_object() ? o : nullptr;
}

// One line of chat text in the style of `format`, cut to `max_bytes`. Escaping runs first, so the cut
// counts what is sent; a Slack entity cut in half is dropped whole.
std::string styled(const std::string& raw, config::body_format format, size_t max_bytes) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else if (format == config::body_format::slack && c == '&') {
      out += "&amp;";
    } else if (format == config::body_format::slack && c == '<') {
      out += "&lt;";
    } else if (format == config::body_format::slack && c == '>') {
      out += "&gt;";
    } else if (format == config::body_format::google_chat && c == '<') {
      out += "<\u200B";
    } else {
      out += c;
    }
  }
  if (out.size() <= max_bytes) return out;
  std::string cut = truncate_utf8(out, max_bytes);
  if (format == config::body_format::slack) {
    const size_t body = cut.size() - 3;  // without the "…"
    const size_t amp = cut.rfind('&', body);
    if (amp != std::string::npos && cut.find(';', amp) >= body) cut = cut.substr(0, amp) + "…";
  }
  return cut;
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

void set_line(data& text, const char* name, const std::string& raw, config::body_format format, size_t max) {
  if (raw.empty())
    text.set(name, data(false));
  else
    text.set(name, data(styled(raw, format, max)));
}

std::string consensus_line(const data& payload, bool conflict) {
  const data* c = object_at(payload, "consensus");
  if (!c) return "";
  std::string line = "Consensus: " + or_dash(text_at(*c, {"status"}));
  if (conflict) {
    const data* points = c->get("conflict_points");
    size_t n = points && points->is_list() ? points->list_value().size() : 0;
    return line + " (" + std::to_string(n) + (n == 1 ? " conflicting point)" : " conflicting points)");
  }
  const std::string agreements = text_at(*c, {"agreements"}), conflicts = text_at(*c, {"conflicts"});
  if (!agreements.empty() || !conflicts.empty())
    line += " (" + or_dash(agreements) + " agreements, " + or_dash(conflicts) + " conflicts)";
  return line;
}

std::string telemetry_line(const data& payload) {
  const data* t = object_at(payload, "telemetry");
  if (!t) return "";
  std::string line = "Telemetry: " + or_dash(text_at(*t, {"command"}));
  if (auto status = text_at(*t, {"status"}); !status.empty()) line += " " + status;
  if (auto path = text_at(*t, {"path"}); !path.empty()) line += " · " + path;
  return line;
}

}  // namespace

std::string_view builtin_template(config::body_format format) {
  switch (format) {
    case config::body_format::slack:
      return builtin::slack;
    case config::body_format::discord:
      return builtin::discord;
    case config::body_format::teams:
      return builtin::teams;
    case config::body_format::google_chat:
      return builtin::google_chat;
    case config::body_format::standard:
      break;
  }
  return {};
}

std::string truncate_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes >= 3 ? max_bytes - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

void add_helper_fields(data& d, const std::string& payload_json, config::body_format format) {
  const std::string type = text_at(d, {"type"});
  const bool is_task = type == "spec-kit.task.transitioned", is_stage = type == "spec-auto.stage.completed",
             is_pipeline = type == "spec-auto.pipeline.completed",
             is_conflict = type == "spec-auto.consensus.conflict", is_test = type == "spec-notify.test";
  d.set("is_task", data(is_task));
  d.set("is_stage", data(is_stage));
  d.set("is_pipeline", data(is_pipeline));
  d.set("is_conflict", data(is_conflict));
  d.set("is_test", data(is_test));
  d.set("payload_json", data(payload_json));

  std::string key = text_at(d, {"spec", "key"});
  if (key.empty()) key = "(no SPEC)";
  const std::string stage = text_at(d, {"stage"}), status = text_at(d, {"status"});
  std::string title, summary, location;
  if (const data* task = object_at(d, "task")) {
    const std::string id = text_at(*task, {"id"}), from = text_at(*task, {"from"}),
                      to = text_at(*task, {"to"});
    const std::string title_short = truncate_utf8(text_at(*task, {"title"}), kTitleShortBytes);
    const std::string change = (from.empty() ? "new" : from) + " → " + or_dash(to);
    title = key + " " + id + ": " + change;
    summary = is_test ? key + " test delivery for " + id + " " + title_short + " (" + or_dash(to) + ")"
                      : key + " " + id + " " + title_short + ": " + change;
    location = text_at(*task, {"source"});
    if (auto line = text_at(*task, {"line"}); !location.empty() && !line.empty() && line != "0")
      location += ":" + line;
    data t = *task;  // set last: replacing "task" frees what `task` points to
    t.set("title_short", data(title_short));
    d.set("task", t);
  } else if (is_conflict) {
    title = key + ": consensus conflict in " + or_dash(stage);
    summary = key + " consensus conflict in stage " + or_dash(stage) + " (" + or_dash(status) + ")";
    if (const data* c = object_at(d, "consensus")) location = text_at(*c, {"path"});
  } else if (is_pipeline) {
    title = key + ": pipeline " + or_dash(status);
    summary = key + " pipeline completed: " + or_dash(status);
  } else if (is_test) {
    title = key + ": test delivery";
    summary = key + " spec-notify test delivery (" + or_dash(stage) + " " + or_dash(status) + ")";
  } else {
    title = key + ": stage " + or_dash(stage) + " " + or_dash(status);
    summary = key + " stage " + or_dash(stage) + " completed: " + or_dash(status);
  }

  data text{data::type::object};
  text.set("title", data(styled(title, format, kTextTitleBytes)));
  text.set("summary", data(styled(summary, format, kTextSummaryBytes)));
  text.set("footer", data(styled(type + " · " + text_at(d, {"delivery_id"}), format, kTextLineBytes)));
  set_line(text, "consensus", consensus_line(d, is_conflict), format, kTextLineBytes);
  set_line(text, "telemetry", telemetry_line(d), format, kTextTelemetryBytes);
  set_line(text, "location", location.empty() ? "" : "Source: " + location, format, kTextLineBytes);
  data points{data::type::list};
  size_t total = 0;
  if (const data* c = object_at(d, "consensus"); c && is_conflict) {
    if (const data* list = c->get("conflict_points"); list && list->is_list()) {
      total = list->list_value().size();
      for (const auto& p : list->list_value()) {
        if (points.list_value().size() >= kTextPoints) break;
        if (p.is_string()) points.push_back(data(styled(p.string_value(), format, kTextPointBytes)));
      }
    }
  }
  const size_t shown = points.list_value().size();
  text.set("points", points);
  set_line(text, "points_more", total > shown ? "… and " + std::to_string(total - shown) + " more" : "",
           format, kTextLineBytes);
  d.set("text", text);
}

}  // namespace spec_notify::router
