#include "app/commands/test_sample.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "actors/differ/spec_context.hpp"
#include "actors/differ/spec_key.hpp"
#include "actors/differ/status.hpp"
#include "actors/differ/telemetry.hpp"
#include "actors/router/payload.hpp"
#include "actors/util/ids.hpp"

namespace spec_notify::app {
namespace fs = std::filesystem;
namespace {

constexpr std::uintmax_t max_file_bytes = 8 * 1024 * 1024;  // same cap as the differ

// Whole file, or false (with `why`) when it is missing, too large or unreadable.
bool read_text(const fs::path& path, std::string& out, std::string& why) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    why = ec.message();
    return false;
  }
  if (size > max_file_bytes) {
    why = "larger than " + std::to_string(max_file_bytes) + " bytes; skipped";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void add_file(spec_catalog& cat, const fs::path& repo, const std::string& rel, std::set<std::string>& ids) {
  std::string text, why;
  if (!read_text(repo / rel, text, why)) {
    cat.problems.push_back(rel + ": " + why);
    return;
  }
  for (auto& row : differ::parse_task_file(text, rel).rows) {
    if (row.spec_id.empty()) continue;
    ids.insert(row.spec_id);
    cat.tasks.push_back({rel, std::move(row)});
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string display_path(const fs::path& repo, const fs::path& p) {
  auto rel = p.lexically_relative(repo).generic_string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? p.generic_string() : rel;
}

// Every file of the evidence folders (<base>/<folder>/<file>) whose folder names the same SPEC as `spec_id`
// (full slug or short key: guardrails use either), sorted by path.
std::vector<fs::path> evidence_files(const fs::path& base, const std::string& spec_id) {
  std::vector<fs::path> out;
  const auto key = differ::spec_key(spec_id);
  std::error_code ec;
  for (fs::directory_iterator dir(base, ec), end; !ec && dir != end; dir.increment(ec)) {
    std::error_code fec;
    if (!dir->is_directory(fec) || differ::spec_key(dir->path().filename().string()) != key) continue;
    for (fs::directory_iterator it(dir->path(), fec), fend; !fec && it != fend; it.increment(fec))
      if (it->is_regular_file(fec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

spec_catalog scan_specs(const fs::path& repo) {
  spec_catalog cat;
  std::set<std::string> ids;
  std::vector<std::string> task_files;
  std::error_code ec;
  for (fs::directory_iterator it(repo / "docs", ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_directory(fec) && fs::is_regular_file(it->path() / "tasks.md", fec))
      task_files.push_back("docs/" + it->path().filename().string() + "/tasks.md");
  }
  std::sort(task_files.begin(), task_files.end());
  for (const auto& rel : task_files) add_file(cat, repo, rel, ids);
  if (fs::is_regular_file(repo / "SPEC.md", ec)) add_file(cat, repo, "SPEC.md", ids);
  // A tasks.md without parsable rows still names its SPEC (the folder).
  for (const auto& rel : task_files) ids.insert(differ::spec_id_from_path(rel));
  cat.spec_ids.assign(ids.begin(), ids.end());
  return cat;
}

std::vector<std::string> match_spec(const spec_catalog& catalog, const std::string& query) {
  for (const auto& id : catalog.spec_ids)
    if (id == query) return {id};
  std::vector<std::string> out;
  auto q = lower(query);
  for (const auto& id : catalog.spec_ids)
    if (lower(id) == q || lower(differ::spec_key(id)) == q) out.push_back(id);
  return out;
}

const spec_task* pick_task(const spec_catalog& catalog, const std::string& spec_id) {
  const spec_task *first = nullptr, *last_done = nullptr;
  for (const auto& t : catalog.tasks) {
    if (t.row.spec_id != spec_id) continue;
    if (!first) first = &t;
    if (t.row.status == differ::task_status::done) last_done = &t;
  }
  return last_done ? last_done : first;
}

event_context read_spec_context(const fs::path& repo, const fs::path& evidence_dir,
                                const std::string& spec_id) {
  // The differ's own context builder, fed from the files: the sample carries what a real event would.
  differ::spec_context context;
  for (const auto& file : evidence_files(evidence_dir / "commands", spec_id)) {
    auto rel = display_path(repo, file);
    std::string text, why;
    if (!differ::is_telemetry_path(rel) || !read_text(file, text, why)) continue;
    auto r = differ::read_telemetry(text, rel);
    if (r.status == differ::read_status::ok) context.add_telemetry(r.value);
  }
  for (const auto& file : evidence_files(evidence_dir / "consensus", spec_id)) {
    auto rel = display_path(repo, file);
    std::string text, why;
    if (!differ::is_consensus_path(rel) || !read_text(file, text, why)) continue;
    auto r = differ::read_consensus(text, rel);
    if (r.status == differ::read_status::ok)
      context.add_consensus(file.parent_path().filename().string(), r.value);
  }
  return context.context_for(spec_id);
}

event make_test_event(const std::string& spec_id, const spec_task* task, event_context context,
                      int64_t now_ms) {
  event e;
  e.id = util::random_id("evt_");
  e.type = event_type::test;
  e.occurred_at_ms = now_ms;
  e.spec_id = spec_id;
  if (task) {
    e.task_id = task->row.id;
    e.task_title = task->row.title;
    e.to = differ::canonical_name(task->row.status);
    e.raw_status = task->row.raw_status;
    e.source = task->source;
    e.line = task->row.line;
  } else {
    e.stage = "test";
    e.status = "ok";
  }
  e.context = std::move(context);
  return e;
}

}  // namespace spec_notify::app
