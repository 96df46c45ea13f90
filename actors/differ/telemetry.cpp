#include "actors/differ/telemetry.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <array>
#include <exception>
#include <vector>

#include "actors/differ/markdown.hpp"
#include "actors/util/json_text.hpp"

namespace spec_notify::differ {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Object;

constexpr size_t npos = std::string_view::npos;

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The last three path segments: grandparent folder, parent folder, file name (missing ones empty).
struct tail_segments {
  std::string_view kind, spec, file;
};
tail_segments tail_of(std::string_view path) {
  std::array<std::string_view, 3> seg;
  for (auto& s : seg) {
    const size_t slash = path.rfind('/');
    s = slash == npos ? path : path.substr(slash + 1);
    path = slash == npos ? std::string_view() : path.substr(0, slash);
  }
  return {seg[2], seg[1], seg[0]};
}

// "spec-<stage>_<rest>" -> stage / rest; both empty when the name has another shape.
std::string_view file_stage(std::string_view file) {
  const size_t underscore = file.find('_');
  if (!starts_with(file, "spec-") || underscore == npos || underscore <= 5) return {};
  return file.substr(5, underscore - 5);
}

// "spec-<stage>_<ts>_<kind>..." -> <ts> when it starts with a digit (a time), else ""
// (spec-plan_synthesis.json).
std::string_view file_run(std::string_view file) {
  const std::string_view stage = file_stage(file);
  if (stage.empty()) return {};
  const std::string_view rest = file.substr(6 + stage.size());
  const size_t underscore = rest.find('_');
  if (underscore == npos || underscore == 0 || rest[0] < '0' || rest[0] > '9') return {};
  return rest.substr(0, underscore);
}

// "spec-ops-validate" / "spec-validate" / "validate" -> "validate".
std::string stage_name(std::string_view command) {
  if (starts_with(command, "spec-ops-")) command.remove_prefix(9);
  if (starts_with(command, "spec-")) command.remove_prefix(5);
  return std::string(command);
}

bool has_placeholder(const std::string& s) {
  return s.find("${") != std::string::npos;
}

std::string text_of(const Var& v) {
  return v.isString() ? v.extract<std::string>() : std::string();
}

std::string describe(const Var& v) {
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(bool)) return v.extract<bool>() ? "true" : "false";
  if (v.isString()) return "\"" + markdown::valid_utf8(v.extract<std::string>().substr(0, 40)) + "\"";
  if (v.isNumeric()) return v.convert<std::string>();
  return "of a non-scalar type";
}

// Parses `text` into an object. On failure returns null with `error` set and `outcome` = skipped (valid JSON
// but not an object) or error (not JSON).
Object::Ptr parse_object(std::string_view text, read_status& outcome, std::string& error) {
  outcome = read_status::error;
  try {
    Poco::JSON::Parser parser;  // depth-limited (128) by default: nesting bombs fail cleanly
    const Var result = parser.parse(std::string(text));
    if (result.type() == typeid(Object::Ptr)) return result.extract<Object::Ptr>();
    outcome = read_status::skipped;
    error = "valid JSON but not an object";
  } catch (const Poco::Exception& e) {
    error = "invalid JSON: " + e.displayText();
  } catch (const std::exception& e) {
    error = std::string("invalid JSON: ") + e.what();
  }
  return nullptr;
}

constexpr std::array<std::string_view, 6> kBadValues{"failed", "fail",    "failure",
                                                     "error",  "errored", "degraded"};
constexpr std::array<std::string_view, 12> kGoodValues{"passed",    "pass",  "ok",        "success",
                                                       "succeeded", "ready", "locked",    "unlocked",
                                                       "skipped",   "done",  "completed", "healthy"};

// One stage's evidence, folded into passed / failed / unknown.
class verdict {
 public:
  void add(const Var& value, bool main) {
    if (value.isEmpty()) return;  // absent component
    main_seen_ = main_seen_ || main;
    std::string v = text_of(value);
    for (char& c : v) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (std::find(kBadValues.begin(), kBadValues.end(), v) != kBadValues.end()) {
      failed_ = true;
    } else if (std::find(kGoodValues.begin(), kGoodValues.end(), v) == kGoodValues.end()) {
      unknown_ = true;
    }
  }
  std::string result() const {
    if (failed_) return "failed";
    return main_seen_ && !unknown_ ? "passed" : "unknown";
  }

 private:
  bool main_seen_ = false, failed_ = false, unknown_ = false;
};

Var field(const Object::Ptr& o, const std::string& key) {
  return o ? o->get(key) : Var();
}

std::string stage_status(const std::string& stage, const Object::Ptr& o) {
  verdict v;
  if (stage == "plan") {
    v.add(field(o->getObject("baseline"), "status"), true);
    if (const Object::Ptr hooks = o->getObject("hooks")) {
      for (const auto& [name, value] : *hooks) v.add(value, false);
    }
  } else if (stage == "tasks") {
    v.add(field(o->getObject("tool"), "status"), true);
  } else if (stage == "implement") {
    v.add(o->get("lock_status"), true);
    v.add(o->get("hook_status"), true);
  } else if (stage == "validate" || stage == "audit") {
    if (const Poco::JSON::Array::Ptr scenarios = o->getArray("scenarios")) {
      for (size_t i = 0; i < scenarios->size(); ++i) v.add(field(scenarios->getObject(i), "status"), true);
    }
    const Object::Ptr hal = o->getObject("hal");
    v.add(field(hal ? hal->getObject("summary") : nullptr, "status"), false);
  } else if (stage == "unlock") {
    v.add(o->get("unlock_status"), true);
  }
  return v.result();
}

int count_of(const Var& v) {
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = v.extract<Poco::JSON::Array::Ptr>();
    return array ? static_cast<int>(std::min<size_t>(array->size(), 1u << 30)) : 0;
  }
  if (v.isNumeric()) return static_cast<int>(std::clamp(v.convert<double>(), 0.0, 1e9));
  return 0;
}

std::string_view last_non_empty_line(std::string_view text) {
  while (!text.empty()) {
    const size_t nl = text.rfind('\n');
    const std::string_view line = markdown::trim(nl == npos ? text : text.substr(nl + 1));
    if (!line.empty()) return line;
    text = nl == npos ? std::string_view() : text.substr(0, nl);
  }
  return {};
}

telemetry_read telemetry_from(const Object::Ptr& o, std::string_view rel_path) {
  telemetry_read r;
  const std::string where = markdown::valid_utf8(rel_path) + ": ";
  const Var version = o->get("schemaVersion");
  if (!o->has("schemaVersion")) {
    r.status = read_status::skipped;
    r.reason = where + "no schemaVersion (a per-agent or other non-telemetry file)";
    return r;
  }
  if (version.isEmpty() || version.type() == typeid(bool) || !version.isInteger() ||
      version.convert<Poco::Int64>() != 1) {
    r.status = read_status::skipped;
    r.reason = where + "schemaVersion " + describe(version) + " is not telemetry v1";
    return r;
  }
  const tail_segments seg = tail_of(rel_path);
  telemetry_summary& t = r.value;
  t.command = text_of(o->get("command"));
  t.spec_id = text_of(o->get("specId"));
  t.session_id = text_of(o->get("sessionId"));
  t.timestamp = text_of(o->get("timestamp"));
  for (const std::string* s : {&t.command, &t.spec_id, &t.session_id, &t.timestamp}) {
    if (has_placeholder(*s)) {
      r.status = read_status::skipped;
      r.reason = where + "unfilled ${...} template placeholder";
      return r;
    }
  }
  t.stage = stage_name(t.command.empty() ? file_stage(seg.file) : std::string_view(t.command));
  if (t.spec_id.empty()) t.spec_id = std::string(seg.spec);
  if (t.session_id.empty()) {
    const std::string_view stage = file_stage(seg.file);
    const std::string_view rest = stage.empty() ? std::string_view() : seg.file.substr(6 + stage.size());
    t.session_id = std::string(ends_with(rest, ".json") ? rest.substr(0, rest.size() - 5) : rest);
  }
  t.status = stage_status(t.stage, o);
  t.path = std::string(rel_path);
  for (std::string* s : {&t.command, &t.session_id, &t.timestamp, &t.stage, &t.path, &t.spec_id}) {
    markdown::make_valid_utf8(*s);
  }
  r.status = read_status::ok;
  return r;
}

consensus_read consensus_from(const Object::Ptr& o, std::string_view rel_path, bool jsonl) {
  consensus_read r;
  const std::string where = markdown::valid_utf8(rel_path) + ": ";
  const Object::Ptr c = o->getObject("consensus");
  consensus_summary& s = r.value;
  std::string stage = text_of(o->get(jsonl ? "command" : "stage"));
  if (stage.empty()) stage = text_of(o->get(jsonl ? "stage" : "command"));
  s.status = text_of(jsonl ? field(c, "status") : o->get("status"));
  if (s.status.empty()) s.status = text_of(o->get(jsonl ? "consensusStatus" : "consensus_status"));
  for (const std::string& text : {stage, s.status, text_of(o->get("specId")), text_of(o->get("timestamp"))}) {
    if (has_placeholder(text)) {
      r.status = read_status::skipped;
      r.reason = where + "unfilled ${...} template placeholder";
      return r;
    }
  }
  if (s.status.empty()) {
    r.status = read_status::skipped;
    r.reason = where + "no consensus status";
    return r;
  }
  s.agreements = count_of(field(c, "agreements"));
  s.conflicts = count_of(field(c, "conflicts"));
  const std::string_view file = tail_of(rel_path).file;
  s.stage = stage_name(stage.empty() ? file_stage(file) : std::string_view(stage));
  s.path = std::string(rel_path);
  s.run = std::string(file_run(file));
  if (s.run.empty() && jsonl) s.run = text_of(o->get("timestamp"));
  s.telemetry = text_of(o->get("telemetry"));
  if (has_placeholder(s.telemetry)) s.telemetry.clear();
  for (std::string* text : {&s.status, &s.path, &s.stage, &s.run, &s.telemetry})
    markdown::make_valid_utf8(*text);
  r.status = read_status::ok;
  return r;
}

// ASCII case-folded, trimmed.
std::string folded(std::string_view text) {
  std::string out(markdown::trim(text));
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Valid UTF-8, at most `max_bytes`, cut before a character, never inside one. True when it was cut.
bool bounded_utf8(std::string& text, size_t max_bytes) {
  markdown::make_valid_utf8(text);
  if (text.size() <= max_bytes) return false;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // continuation byte
  text.resize(cut);
  return true;
}

bool is_conflict_status(const std::string& status) {
  const std::string s = folded(status);
  return s == "conflict" || s == "conflicted" || s == "disagreement";
}

// The text of one consensus.conflicts entry; false for null (nothing to show).
bool point_text(const Var& v, std::string& out) {
  if (v.isEmpty()) return false;
  if (v.isString()) {
    out = v.extract<std::string>();
    return true;
  }
  if (v.type() == typeid(Object::Ptr)) {
    const Object::Ptr o = v.extract<Object::Ptr>();
    if (!o) return false;
    for (const char* key : {"issue", "point", "summary", "description", "text", "title"}) {
      const Var member = o->get(key);
      if (member.isString()) {
        out = member.extract<std::string>();
        return true;
      }
    }
  }
  out.clear();
  util::append_json_value(out, v, {});  // numbers, booleans, arrays, objects without a text member
  return true;
}

// The name of one agents entry; "" when it has none.
std::string agent_name(const Var& v) {
  if (v.isString()) return v.extract<std::string>();
  if (v.type() == typeid(Object::Ptr)) {
    const Object::Ptr o = v.extract<Object::Ptr>();
    for (const char* key : {"agent", "name"}) {
      const Var member = o ? o->get(key) : Var();
      if (member.isString()) return member.extract<std::string>();
    }
  }
  return {};
}

std::string kind_of(const Var& v) {
  if (v.type() == typeid(Object::Ptr)) return "an object";
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
  return describe(v);
}

conflict_read conflict_from(const Object::Ptr& o, std::string_view rel_path) {
  conflict_read r;
  const std::string where = markdown::valid_utf8(rel_path) + ": ";
  auto wrong_type = [&](const std::string& member, const Var& v, const char* wanted) {
    r.warnings.push_back(where + member + " is " + kind_of(v) + ", not " + wanted + "; not read");
  };
  std::string stage = text_of(o->get("stage"));
  if (stage.empty()) stage = text_of(o->get("command"));
  const Var status = o->get("status");
  if (!status.isEmpty() && !status.isString()) wrong_type("status", status, "a string");
  consensus_conflict& c = r.value;
  c.status = text_of(status);
  const Var telemetry = o->get("telemetry");
  if (!telemetry.isEmpty() && !telemetry.isString()) wrong_type("telemetry", telemetry, "a string");
  c.telemetry = text_of(telemetry);
  if (has_placeholder(c.telemetry)) c.telemetry.clear();  // as read_consensus: no pointer, not no record
  for (const std::string& text : {stage, c.status, text_of(o->get("specId")), text_of(o->get("timestamp"))}) {
    if (has_placeholder(text)) {
      r.status = read_status::skipped;
      r.reason = where + "unfilled ${...} template placeholder";
      return r;
    }
  }
  Object::Ptr consensus;
  if (const Var v = o->get("consensus"); v.type() == typeid(Object::Ptr)) {
    consensus = v.extract<Object::Ptr>();
  } else if (!v.isEmpty()) {
    wrong_type("consensus", v, "an object");
  }
  Poco::SHA2Engine digest(Poco::SHA2Engine::SHA_256);
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  auto hash = [&](const std::string& part) {
    const std::string len = std::to_string(part.size()) + ":";
    digest.update(len);
    digest.update(part);
  };
  c.stage = stage_name(stage.empty() ? file_stage(tail_of(rel_path).file) : std::string_view(stage));
  hash(c.stage);
  hash(folded(c.status));
  hash(c.telemetry);
  if (const Var v = field(consensus, "conflicts"); v.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = v.extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; array && i < array->size(); ++i) {
      std::string text;
      if (!point_text(array->get(static_cast<unsigned>(i)), text)) continue;
      ++c.total_points;
      hash(text);  // in full: a difference past the bounds is still another conflict
      if (c.points.size() >= kMaxConflictPoints) {
        c.points_truncated = true;
        continue;
      }
      c.points_truncated |= bounded_utf8(text, kMaxConflictPointBytes);
      c.points.push_back(std::move(text));
    }
  } else if (!v.isEmpty()) {
    wrong_type("consensus.conflicts", v, "an array");
  }
  Var agents = o->get("agents");
  std::string agents_member = "agents";
  if (agents.isEmpty()) {
    agents = field(consensus, "agents");
    agents_member = "consensus.agents";
  }
  if (agents.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = agents.extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; array && i < array->size(); ++i) {
      std::string name = agent_name(array->get(static_cast<unsigned>(i)));
      if (name.empty()) continue;
      if (c.agents.size() >= kMaxConflictAgents) {
        c.agents_truncated = true;
        break;
      }
      c.agents_truncated |= bounded_utf8(name, kMaxConflictAgentBytes);
      c.agents.push_back(std::move(name));
    }
  } else if (!agents.isEmpty()) {
    wrong_type(agents_member, agents, "an array");
  }
  bounded_utf8(c.status, kMaxConflictStatusBytes);
  // A pointer longer than any real path is not a path: dropped rather than cut into a wrong one.
  if (bounded_utf8(c.telemetry, 1024)) c.telemetry.clear();
  markdown::make_valid_utf8(c.stage);
  r.conflict = is_conflict_status(c.status) || c.total_points > 0;
  c.digest = Poco::DigestEngine::digestToHex(digest.digest());
  r.status = read_status::ok;
  return r;
}

}  // namespace

telemetry_read read_telemetry(std::string_view json_text, std::string_view rel_path) {
  telemetry_read r;
  std::string error;
  try {
    if (const Object::Ptr o = parse_object(json_text, r.status, error)) return telemetry_from(o, rel_path);
  } catch (const std::exception& e) {  // Poco::Exception derives from std::exception
    r.status = read_status::error;
    error = std::string("unexpected: ") + e.what();
  } catch (...) {
    r.status = read_status::error;
    error = "unexpected error";
  }
  r.reason = markdown::valid_utf8(rel_path) + ": " + markdown::valid_utf8(error);
  return r;
}

consensus_read read_consensus(std::string_view text, std::string_view rel_path) {
  consensus_read r;
  const bool jsonl = ends_with(rel_path, ".jsonl");
  const std::string_view doc = jsonl ? last_non_empty_line(text) : text;
  std::string error;
  if (markdown::trim(doc).empty()) {
    r.status = read_status::skipped;
    r.reason = markdown::valid_utf8(rel_path) + ": empty file";
    return r;
  }
  try {
    if (const Object::Ptr o = parse_object(doc, r.status, error)) return consensus_from(o, rel_path, jsonl);
  } catch (const std::exception& e) {
    r.status = read_status::error;
    error = std::string("unexpected: ") + e.what();
  } catch (...) {
    r.status = read_status::error;
    error = "unexpected error";
  }
  r.reason = markdown::valid_utf8(rel_path) + ": " + markdown::valid_utf8(error);
  return r;
}

conflict_read read_consensus_conflict(std::string_view text, std::string_view rel_path) {
  conflict_read r;
  std::string error;
  if (markdown::trim(text).empty()) {
    r.status = read_status::skipped;
    r.reason = markdown::valid_utf8(rel_path) + ": empty file";
    return r;
  }
  try {
    if (const Object::Ptr o = parse_object(text, r.status, error)) return conflict_from(o, rel_path);
  } catch (const std::exception& e) {
    r = conflict_read{};
    error = std::string("unexpected: ") + e.what();
  } catch (...) {
    r = conflict_read{};
    error = "unexpected error";
  }
  r.reason = markdown::valid_utf8(rel_path) + ": " + markdown::valid_utf8(error);
  return r;
}

bool is_telemetry_path(std::string_view rel_path) {
  const tail_segments seg = tail_of(rel_path);
  const std::string_view stage = file_stage(seg.file);
  return seg.kind == "commands" && !seg.spec.empty() && !stage.empty() && ends_with(seg.file, ".json") &&
         seg.file.size() > 5 + stage.size() + 1 + 5;  // a non-empty session between '_' and ".json"
}

bool is_consensus_path(std::string_view rel_path) {
  const tail_segments seg = tail_of(rel_path);
  return seg.kind == "consensus" && !seg.spec.empty() && starts_with(seg.file, "spec-") &&
         (ends_with(seg.file, "_synthesis.json") || ends_with(seg.file, "_telemetry.jsonl"));
}

bool same_evidence_file(std::string_view named, std::string_view rel_path) {
  const tail_segments a = tail_of(named), b = tail_of(rel_path);
  return !a.file.empty() && a.file == b.file && a.spec == b.spec && a.kind == b.kind;
}

}  // namespace spec_notify::differ
