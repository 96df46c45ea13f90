#include "actors/differ/engine.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "actors/differ/spec_key.hpp"
#include "actors/differ/task_table.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/store/records.hpp"
#include "actors/util/clock.hpp"
#include "actors/util/ids.hpp"
#include "actors/util/repo_file.hpp"

namespace spec_notify::differ {
namespace {

std::string encode_state(const known_state& s) {
  return std::string(canonical_name(s.status)) + "\n" + s.raw;
}

bool decode_state(const std::string& text, known_state& out) {
  auto nl = text.find('\n');
  if (!parse_canonical(text.substr(0, nl), out.status)) return false;
  out.raw = nl == std::string::npos ? std::string{} : text.substr(nl + 1);
  return true;
}

// The tail of a cap warning: which setting it was and how to raise it.
std::string cap_hint(const char* key, size_t value) {
  return std::string("(") + key + " = " + std::to_string(value) + "; raise " + key + " in [notify] for more)";
}

void recheck_once(engine_result& out, const std::string& rel) {
  if (std::find(out.recheck.begin(), out.recheck.end(), rel) == out.recheck.end()) out.recheck.push_back(rel);
}

}  // namespace

engine::engine(store::db_ptr db, std::filesystem::path repo, differ_limits limits, clock_fn clock)
    : repo_(std::move(repo)),
      db_(std::move(db)),
      limits_(limits),
      clock_(clock ? std::move(clock) : clock_fn([] { return std::chrono::system_clock::now(); })) {
  std::string flag;
  baseline_done_ = db_->get("meta/baseline", flag);
  db_->scan("task/", [&](const std::string& key, const std::string& value) {
    auto sep = key.find('\0', 5);
    known_state s;
    if (sep != std::string::npos && decode_state(value, s))
      states_[key.substr(5, sep - 5)][key.substr(sep + 1)] = std::move(s);
    return true;
  });
  db_->scan(store::seen_prefix, [&](const std::string& key, const std::string&) {
    std::string rest = key.substr(std::char_traits<char>::length(store::seen_prefix));
    // A path never holds '\0': only conflict entries (path\0digest) do.
    (rest.find('\0') == std::string::npos ? seen_telemetry_ : seen_conflicts_).insert(std::move(rest));
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
  pending_conflicts_.clear();
  events_left_ = limits_.max_events_per_diff;
  // One file's failure is that file's warning: the others are still read and their events delivered.
  auto guarded = [&](const std::string& rel, auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      out.problems.push_back(rel + ": not processed: " + e.what());
    } catch (...) {
      out.problems.push_back(rel + ": not processed: unexpected error");
    }
  };
  // Consensus records first, so a stage event finds the record of its own run when a burst (git pull)
  // brings both; each stage event then points at its own file whatever the order of `paths`.
  for (const auto& rel : paths)
    if (is_consensus_path(rel)) guarded(rel, [&] { process_consensus(rel, b, out); });
  for (const auto& rel : paths)
    if (!is_consensus_path(rel) && is_telemetry_path(rel))
      guarded(rel, [&] { process_telemetry(rel, b, out); });
  for (const auto& rel : paths)
    if (is_task_file(rel)) guarded(rel, [&] { process_task_file(rel, b, out); });
  bool recording_baseline = !baseline_done_;
  if (recording_baseline) b.put("meta/baseline", "1");
  if (b.empty()) return out;
  if (auto written = db_->write(b); !written) {
    // Nothing was stored: drop the events so they are detected again on the next change or rescan.
    out.problems.push_back(db_->dir() + ": cannot persist task states: " + written.message());
    out.events.clear();
    out.store_failed = true;
    return out;
  }
  // Node handles move each state over without a second allocation (a big change holds tens of thousands).
  for (auto& [file, updates] : pending_) {
    auto& target = states_[file];
    while (!updates.empty()) {
      auto result = target.insert(updates.extract(updates.begin()));
      if (!result.inserted) result.position->second = std::move(result.node.mapped());
    }
  }
  pending_.clear();
  seen_telemetry_.insert(pending_seen_.begin(), pending_seen_.end());
  seen_conflicts_.insert(pending_conflicts_.begin(), pending_conflicts_.end());
  baseline_done_ = true;
  return out;
}

// Reads `rel` through the watcher's gate (regular file inside the repo, size-capped). False when there is
// nothing to process; a refusal or read error is a problem naming the file.
bool engine::read(const std::string& rel, std::string& text, int64_t& mtime_ns, engine_result& out) {
  auto r = util::read_repo_file(repo_, rel, limits_.max_file_bytes);
  if (r.status == util::repo_file_status::ok) {
    text = std::move(r.text);
    mtime_ns = r.mtime_ns;
    return true;
  }
  // missing: removed rows emit nothing, the last states are kept.
  if (r.status != util::repo_file_status::missing) out.problems.push_back(rel + ": " + r.reason);
  return false;
}

void engine::note_row_cap(const std::string& rel, int capped_at_line, engine_result& out) {
  if (capped_at_line == 0) {
    row_capped_.erase(rel);
    return;
  }
  if (!row_capped_.insert(rel).second) return;  // warned when it first went over
  out.problems.push_back(rel + ":" + std::to_string(capped_at_line) + ": more than " +
                         std::to_string(limits_.max_task_rows) +
                         " task rows; this row and the ones after it are not read " +
                         cap_hint("max_task_rows", limits_.max_task_rows));
}

void engine::defer(const std::string& rel, size_t emitted, size_t deferred, engine_result& out) {
  recheck_once(out, rel);
  if (!deferring_.insert(rel).second) return;
  out.problems.push_back(rel + ": over the per-change event cap: " + std::to_string(emitted) + " of its " +
                         std::to_string(emitted + deferred) +
                         " events emitted now, the rest in later passes as the file is re-read " +
                         cap_hint("max_events_per_diff", limits_.max_events_per_diff));
}

void engine::process_task_file(const std::string& rel, store::batch& b, engine_result& out) {
  std::string text;
  int64_t mtime_ns = 0;
  if (!read(rel, text, mtime_ns, out)) return;
  // A file without a final newline that was modified a moment ago may be half-written (an in-place save
  // caught between its writes): its last line is left out this time and read again later (recheck).
  parse_options options;
  options.max_rows = limits_.max_task_rows;
  if (baseline_done_ && !text.empty() && text.back() != '\n') {
    const auto age = std::chrono::system_clock::now().time_since_epoch() - std::chrono::nanoseconds(mtime_ns);
    options.tail_may_be_partial = age >= decltype(age)::zero() && age < kRecheckAfter;
  }
  auto parsed = parse_task_file(text, rel, options);
  text.clear();
  text.shrink_to_fit();  // the rows own their strings: the file's bytes are not needed any more
  if (parsed.partial_tail) out.recheck.push_back(rel);
  for (auto& w : parsed.warnings) out.problems.push_back(std::move(w));
  note_row_cap(rel, parsed.rows_capped_at_line, out);
  static const std::map<std::string, known_state> empty;
  auto it = states_.find(rel);
  const auto& previous = it == states_.end() ? empty : it->second;
  // One pass in file order, without copying rows. Transitions past this call's event budget are deferred:
  // their rows keep the old state, so the next read of the file (recheck) finds them again.
  auto& updates = pending_[rel];
  const auto now = util::unix_now_ms();
  size_t emitted = 0, over = 0;
  for (auto& row : parsed.rows) {
    const auto prev_it = previous.find(row.id);
    const known_state* prev = prev_it == previous.end() ? nullptr : &prev_it->second;
    const bool emits = baseline_done_ && is_transition(prev, row);
    if (emits && emitted >= events_left_) {
      ++over;
      continue;
    }
    // Keep raw text current even without a category change so stored state mirrors the file.
    if (prev && prev->status == row.status && prev->raw == row.raw_status) continue;
    known_state s{row.status, row.raw_status};
    b.put(store::task_key(rel, row.id), encode_state(s));
    if (emits) {
      ++emitted;
      event e;
      e.id = util::random_id("evt_");
      e.type = event_type::task_transitioned;
      e.occurred_at_ms = now;
      e.spec_id = std::move(row.spec_id);
      e.task_id = row.id;
      e.task_title = std::move(row.title);
      e.from = prev ? canonical_name(prev->status) : "";
      e.to = canonical_name(row.status);
      e.raw_status = std::move(row.raw_status);
      e.source = rel;
      e.line = row.line;
      e.context = context_.context_for(e.spec_id);
      b.put(store::event_key(e.id), store::encode(e));
      out.events.push_back(std::move(e));
    }
    updates[std::move(row.id)] = std::move(s);
  }
  events_left_ -= emitted;
  if (over > 0)
    defer(rel, emitted, over, out);
  else
    deferring_.erase(rel);
}

}  // namespace spec_notify::differ

namespace spec_notify::differ {

void engine::process_consensus(const std::string& rel, store::batch& b, engine_result& out) {
  std::string text;
  int64_t mtime_ns = 0;
  if (!read(rel, text, mtime_ns, out)) return;
  auto c = read_consensus(text, rel);
  if (c.status == read_status::ok) {
    context_.add_consensus(evidence_spec_folder(rel), c.value);
  } else if (c.status == read_status::skipped) {
    out.skipped.push_back(c.reason);
  } else {
    // Not JSON (or half written): the conflict reader would only repeat this warning. Nothing is marked
    // seen, so the completed file still counts.
    return out.problems.push_back(c.reason);
  }
  // A synthesis without a status is skipped as context but may still list conflicts.
  const std::string_view suffix = "_synthesis.json";
  if (rel.size() > suffix.size() && rel.compare(rel.size() - suffix.size(), suffix.size(), suffix) == 0)
    process_conflict(rel, text, c.status == read_status::ok ? c.value.agreements : 0, b, out);
}

// One event per distinct conflict of a synthesis, deduped through seen/ like telemetry files (durable across
// restarts; recorded without an event in the baseline).
void engine::process_conflict(const std::string& rel, const std::string& text, int agreements,
                              store::batch& b, engine_result& out) {
  auto k = read_consensus_conflict(text, rel);
  for (auto& w : k.warnings) out.problems.push_back(std::move(w));
  // skipped (placeholders): read_consensus reported it already.
  if (k.status != read_status::ok || !k.conflict) return;
  std::string seen = rel;
  seen += '\0';
  seen += k.value.digest;
  if (seen_conflicts_.count(seen) || pending_conflicts_.count(seen)) return;  // rewritten, same conflict
  if (baseline_done_) {
    if (events_left_ == 0) return defer(rel, 0, 1, out);  // not marked seen: announced in a later pass
    --events_left_;
    deferring_.erase(rel);
  }
  b.put(store::seen_key(seen), "1");
  pending_conflicts_.insert(std::move(seen));
  if (!baseline_done_) return;
  event e;
  e.id = util::random_id("evt_");
  e.type = event_type::consensus_conflict;
  e.occurred_at_ms = util::unix_now_ms();
  // The SPEC is the synthesis's folder, as for its payload context (add_consensus), not its specId.
  e.spec_id = resolve_spec_slug(repo_, evidence_spec_folder(rel));
  e.stage = k.value.stage;
  e.status = k.value.status;
  e.source = rel;
  telemetry_summary t;
  const bool named = named_telemetry(rel, k.value.telemetry, t);
  e.context = conflict_context(rel, agreements, k.value, named ? &t : nullptr);
  b.put(store::event_key(e.id), store::encode(e));
  out.events.push_back(std::move(e));
}

// The telemetry v1 file a synthesis names, read for the event's `telemetry` object. The pointer is written by
// another checkout as often as by this one (absolute /home/... paths in real evidence), so only its last
// three segments, commands/<SPEC>/<file>, are kept and looked up under this synthesis's evidence root; the
// read goes through the same confinement as every other file. Missing, refused or not telemetry v1: false,
// silently (that file is reported on its own when the watcher offers it).
bool engine::named_telemetry(const std::string& rel, const std::string& pointer, telemetry_summary& t) {
  std::string_view p = pointer;
  std::string_view seg[3];
  for (auto& s : seg) {
    const size_t slash = p.rfind('/');
    s = slash == std::string_view::npos ? p : p.substr(slash + 1);
    p = slash == std::string_view::npos ? std::string_view() : p.substr(0, slash);
  }
  const std::string_view file = seg[0], spec = seg[1], kind = seg[2];
  if (kind != "commands" || spec.empty() || spec == "." || spec == ".." || file.empty()) return false;
  // rel = <root>consensus/<SPEC>/<file> (is_consensus_path)
  const size_t file_slash = rel.rfind('/');
  if (file_slash == std::string::npos || file_slash == 0) return false;
  const size_t folder_slash = rel.rfind('/', file_slash - 1);
  if (folder_slash == std::string::npos || folder_slash == 0) return false;
  const size_t kind_slash = rel.rfind('/', folder_slash - 1);
  const std::string root = kind_slash == std::string::npos ? "" : rel.substr(0, kind_slash + 1);
  const std::string candidate = root + "commands/" + std::string(spec) + "/" + std::string(file);
  if (!is_telemetry_path(candidate)) return false;
  auto r = util::read_repo_file(repo_, candidate, limits_.max_file_bytes);
  if (r.status != util::repo_file_status::ok) return false;
  auto read = read_telemetry(r.text, candidate);
  if (read.status != read_status::ok) return false;
  t = std::move(read.value);
  return true;
}

// A stage event's consensus record may be on disk but not reported yet: a git pull writes commands/ before
// consensus/, and the watcher may report them in two batches. So before an event goes out without one, the
// SPEC's consensus folder is listed once for records of that stage that were never read.
void engine::look_for_run_consensus(const std::string& rel, const telemetry_summary& t, store::batch& b,
                                    engine_result& out) {
  if (t.stage.empty() || context_.consensus_of(t)) return;
  // rel = <root>/commands/<folder>/<file> (is_telemetry_path)
  const size_t file_slash = rel.rfind('/');
  if (file_slash == std::string::npos || file_slash == 0) return;
  const size_t folder_slash = rel.rfind('/', file_slash - 1);
  if (folder_slash == std::string::npos || folder_slash == 0) return;
  const size_t kind_slash = rel.rfind('/', folder_slash - 1);
  const std::string root = kind_slash == std::string::npos ? "" : rel.substr(0, kind_slash + 1);
  const std::string folder = rel.substr(folder_slash + 1, file_slash - folder_slash - 1);
  const std::string dir = root + "consensus/" + folder;
  if (!util::real_path_inside(repo_, repo_ / dir)) return;
  const std::string prefix = "spec-" + t.stage + "_";
  constexpr size_t max_entries = 1024;  // a folder is untrusted input too
  std::error_code ec;
  size_t n = 0;
  for (std::filesystem::directory_iterator it(repo_ / dir, ec), end; !ec && it != end && n < max_entries;
       it.increment(ec), ++n) {
    const std::string name = it->path().filename().string();
    const std::string consensus_rel = dir + "/" + name;
    if (name.rfind(prefix, 0) != 0 || !is_consensus_path(consensus_rel)) continue;
    if (context_.has_consensus(folder, consensus_rel) || !looked_up_.insert(consensus_rel).second) continue;
    process_consensus(consensus_rel, b, out);
  }
}

// Whether the event of the new telemetry file `rel` waits for its run's consensus record (kConsensusSettle):
// it does while no record of its run is known and the file is young; once held, until its settle time is
// over: a record arriving meanwhile is used then (several: consensus_of's ranking, not their order).
bool engine::hold_for_consensus(const std::string& rel, const telemetry_summary& t, int64_t mtime_ns,
                                engine_result& out) {
  using namespace std::chrono;
  const auto now = clock_();
  auto it = held_.find(rel);
  if (it == held_.end()) {
    if (context_.consensus_of(t)) return false;  // its record is known: no reason to wait
    it = held_.emplace(rel, now).first;
  } else if (it->second > now) {
    it->second = now;  // the clock went back: never hold more than kConsensusSettle of the clock from here
  }
  const auto written = system_clock::time_point(duration_cast<system_clock::duration>(nanoseconds(mtime_ns)));
  // The earlier of written and first seen: an old file (restart, rescan) is not held, a future mtime does
  // not extend the hold.
  const auto since = std::min(it->second, written);
  if (now - since >= kConsensusSettle) {
    held_.erase(it);
    return false;
  }
  recheck_once(out, rel);
  out.recheck_after = std::max(out.recheck_after, kConsensusSettle);
  return true;
}

void engine::process_telemetry(const std::string& rel, store::batch& b, engine_result& out) {
  std::string text;
  int64_t mtime_ns = 0;
  if (!read(rel, text, mtime_ns, out)) {
    held_.erase(rel);  // gone (or refused): nothing to announce; a new file of that name starts afresh
    return;
  }
  auto t = read_telemetry(text, rel);
  if (t.status == read_status::skipped) return out.skipped.push_back(t.reason);
  // A half-written file reads as an error; it is not marked seen, so its completed version still counts.
  if (t.status == read_status::error) return out.problems.push_back(t.reason);
  context_.add_telemetry(t.value);
  if (seen_telemetry_.count(rel) || pending_seen_.count(rel)) return;  // rewritten: context only
  if (baseline_done_) look_for_run_consensus(rel, t.value, b, out);
  if (baseline_done_ && hold_for_consensus(rel, t.value, mtime_ns, out)) return;  // announced later
  if (baseline_done_) {
    const size_t needed = t.value.stage == "unlock" ? 2 : 1;
    if (needed > events_left_) return defer(rel, 0, needed, out);  // not marked seen: announced later
    events_left_ -= needed;
    deferring_.erase(rel);
  }
  pending_seen_.insert(rel);
  b.put(store::seen_key(rel), "1");
  if (!baseline_done_) return;
  auto make = [&](const char* type) {
    event e;
    e.id = util::random_id("evt_");
    e.type = type;
    e.occurred_at_ms = util::unix_now_ms();
    e.spec_id = resolve_spec_slug(repo_, t.value.spec_id);
    e.stage = t.value.stage;
    e.status = t.value.status;
    e.source = rel;
    // This run's own telemetry and consensus, never "the SPEC's latest" (that is for task events).
    e.context = context_.context_for_run(t.value);
    b.put(store::event_key(e.id), store::encode(e));
    out.events.push_back(std::move(e));
  };
  make(event_type::stage_completed);
  if (t.value.stage == "unlock") make(event_type::pipeline_completed);
}

}  // namespace spec_notify::differ
