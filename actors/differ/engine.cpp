#include "actors/differ/engine.hpp"

#include <chrono>
#include <fstream>

#include "actors/deliverer/signature.hpp"
#include "actors/differ/spec_key.hpp"
#include "actors/differ/task_table.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/store/records.hpp"

namespace spec_notify::differ {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string encode_state(const known_state& s) {
  return std::string(canonical_name(s.status)) + "\n" + s.raw;
}

bool decode_state(const std::string& text, known_state& out) {
  auto nl = text.find('\n');
  if (!parse_canonical(text.substr(0, nl), out.status)) return false;
  out.raw = nl == std::string::npos ? std::string{} : text.substr(nl + 1);
  return true;
}

enum class read_outcome { ok, missing, error };

// Reads a whole file, refusing anything larger than `limit` (a 50 MB paste must not stall the pipeline).
read_outcome read_file(const std::filesystem::path& p, size_t limit, std::string& out, std::string& error) {
  std::error_code ec;
  auto size = std::filesystem::file_size(p, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return read_outcome::missing;
    error = ec.message();
    return read_outcome::error;
  }
  if (size > limit) {
    error = "file is " + std::to_string(size) + " bytes, over the " + std::to_string(limit) +
            "-byte limit; skipped";
    return read_outcome::error;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = "cannot open for reading (permission denied?)";
    return read_outcome::error;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "read error";
    return read_outcome::error;
  }
  return read_outcome::ok;
}

}  // namespace

engine::engine(store::db_ptr db, std::filesystem::path repo, size_t max_file_bytes)
    : repo_(std::move(repo)), db_(std::move(db)), max_file_bytes_(max_file_bytes) {
  std::string flag;
  baseline_done_ = db_->get("meta/baseline", flag);
  db_->scan("task/", [&](const std::string& key, const std::string& value) {
    auto sep = key.find('\0', 5);
    known_state s;
    if (sep != std::string::npos && decode_state(value, s))
      states_[key.substr(5, sep - 5)][key.substr(sep + 1)] = std::move(s);
    return true;
  });
  db_->scan("seen/", [&](const std::string& key, const std::string&) {
    seen_telemetry_.insert(key.substr(5));
    return true;
  });
}

bool engine::is_task_file(const std::string& rel) {
  if (rel == "SPEC.md") return true;
  // docs/<one folder>/tasks.md
  if (rel.rfind("docs/", 0) != 0) return false;
  auto slash = rel.find('/', 5);
  return slash != std::string::npos && slash > 5 && rel.compare(slash, std::string::npos, "/tasks.md") == 0;
}

engine_result engine::on_files_changed(const std::vector<std::string>& paths) {
  engine_result out;
  store::batch b;
  pending_.clear();
  pending_seen_.clear();
  for (const auto& rel : paths) {
    if (is_consensus_path(rel))
      process_consensus(rel, out);
    else if (is_telemetry_path(rel))
      process_telemetry(rel, b, out);
  }
  for (const auto& rel : paths)
    if (is_task_file(rel)) process_task_file(rel, b, out);
  bool recording_baseline = !baseline_done_;
  if (recording_baseline) b.put("meta/baseline", "1");
  if (b.empty()) return out;
  if (auto err = db_->write(b); !err.empty()) {
    // Nothing was stored: drop the events so they are detected again on the next change or rescan.
    out.problems.push_back(db_->dir() + ": cannot persist task states: " + err);
    out.events.clear();
    out.store_failed = true;
    return out;
  }
  for (auto& [file, updates] : pending_)
    for (auto& [id, s] : updates) states_[file][id] = std::move(s);
  seen_telemetry_.insert(pending_seen_.begin(), pending_seen_.end());
  baseline_done_ = true;
  return out;
}

void engine::process_task_file(const std::string& rel, store::batch& b, engine_result& out) {
  std::string text, error;
  switch (read_file(repo_ / rel, max_file_bytes_, text, error)) {
    case read_outcome::missing:
      return;  // removed rows emit nothing; keep their last state
    case read_outcome::error:
      out.problems.push_back(rel + ": " + error);
      return;
    case read_outcome::ok:
      break;
  }
  // A file without a final newline that was modified a moment ago may be half-written (an in-place save
  // caught between its writes): its last line is left out this time and read again later (recheck).
  parse_options options;
  if (baseline_done_ && !text.empty() && text.back() != '\n') {
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(repo_ / rel, ec);
    const auto age = std::filesystem::file_time_type::clock::now() - mtime;
    options.tail_may_be_partial = !ec && age >= decltype(age)::zero() && age < kRecheckAfter;
  }
  auto parsed = parse_task_file(text, rel, options);
  if (parsed.partial_tail) out.recheck.push_back(rel);
  for (auto& w : parsed.warnings) out.problems.push_back(std::move(w));
  static const std::map<std::string, known_state> empty;
  auto it = states_.find(rel);
  const auto& previous = it == states_.end() ? empty : it->second;
  auto& updates = pending_[rel];
  // Keep raw text current even without a category change so stored state mirrors the file.
  for (const auto& row : parsed.rows) {
    auto prev = previous.find(row.id);
    if (prev != previous.end() && prev->second.status == row.status && prev->second.raw == row.raw_status)
      continue;
    known_state s{row.status, row.raw_status};
    b.put(store::task_key(rel, row.id), encode_state(s));
    updates[row.id] = std::move(s);
  }
  if (!baseline_done_) return;
  auto now = now_ms();
  for (const auto& t : diff_rows(previous, parsed.rows)) {
    event e;
    e.id = deliverer::random_id("evt_");
    e.type = event_type::task_transitioned;
    e.occurred_at_ms = now;
    e.spec_id = t.row.spec_id;
    e.task_id = t.row.id;
    e.task_title = t.row.title;
    e.from = t.has_from ? canonical_name(t.from) : "";
    e.to = canonical_name(t.row.status);
    e.raw_status = t.row.raw_status;
    e.source = rel;
    e.line = t.row.line;
    e.context_json = context_.json_for(e.spec_id);
    b.put(store::event_key(e.id), store::encode(e));
    out.events.push_back(std::move(e));
  }
}

}  // namespace spec_notify::differ

namespace spec_notify::differ {

void engine::process_consensus(const std::string& rel, engine_result& out) {
  std::string text, error;
  if (auto r = read_file(repo_ / rel, max_file_bytes_, text, error); r != read_outcome::ok) {
    if (r == read_outcome::error) out.problems.push_back(rel + ": " + error);
    return;
  }
  auto c = read_consensus(text, rel);
  if (c.status == read_status::ok)
    context_.add_consensus(evidence_spec_folder(rel), c.value);
  else if (c.status == read_status::skipped)
    out.skipped.push_back(c.reason);
  else
    out.problems.push_back(c.reason);
}

void engine::process_telemetry(const std::string& rel, store::batch& b, engine_result& out) {
  std::string text, error;
  if (auto r = read_file(repo_ / rel, max_file_bytes_, text, error); r != read_outcome::ok) {
    if (r == read_outcome::error) out.problems.push_back(rel + ": " + error);
    return;
  }
  auto t = read_telemetry(text, rel);
  if (t.status == read_status::skipped) return out.skipped.push_back(t.reason);
  // A half-written file reads as an error; it is not marked seen, so its completed version still counts.
  if (t.status == read_status::error) return out.problems.push_back(t.reason);
  context_.add_telemetry(t.value);
  if (seen_telemetry_.count(rel) || pending_seen_.count(rel)) return;  // rewritten: context only
  pending_seen_.insert(rel);
  b.put("seen/" + rel, "1");
  if (!baseline_done_) return;
  auto make = [&](const char* type) {
    event e;
    e.id = deliverer::random_id("evt_");
    e.type = type;
    e.occurred_at_ms = now_ms();
    e.spec_id = resolve_spec_slug(repo_, t.value.spec_id);
    e.stage = t.value.stage;
    e.status = t.value.status;
    e.source = rel;
    e.context_json = context_.json_for(e.spec_id);
    b.put(store::event_key(e.id), store::encode(e));
    out.events.push_back(std::move(e));
  };
  make(event_type::stage_completed);
  if (t.value.stage == "unlock") make(event_type::pipeline_completed);
}

}  // namespace spec_notify::differ
