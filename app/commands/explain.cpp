#include "app/commands/explain.hpp"

#include <algorithm>
#include <map>

#include "actors/differ/status.hpp"
#include "actors/log.hpp"
#include "actors/router/subscription_filter.hpp"

namespace spec_notify::app {
namespace {

constexpr size_t kMaxIdsPerSpec = 12;  // keeps a 300-row SPEC to one readable line

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The row as the event its next transition would be. The target status is one the subscription asks for
// (its first), so the statuses filter never refuses: the question is which rows, not which transitions.
event as_transition(const spec_task& t, const config::subscription_settings& sub) {
  event e;
  e.type = event_type::task_transitioned;
  e.spec_id = t.row.spec_id;
  e.task_id = t.row.id;
  e.from = differ::canonical_name(t.row.status);
  e.to = sub.statuses.empty() ? "Done" : sub.statuses.front();
  e.source = t.source;
  e.line = t.row.line;
  return e;
}

}  // namespace

subscription_reach reach_of(const config::subscription_settings& sub, const spec_catalog& catalog) {
  subscription_reach r;
  r.name = sub.name;
  r.rows_total = catalog.tasks.size();
  if (!sub.disabled_reason.empty())
    r.disabled = "disabled (" + sub.disabled_reason + ")";
  else if (!sub.enabled)
    r.disabled = "disabled (enabled = false)";
  if (!r.disabled.empty()) return r;
  const router::filter f{sub.events, sub.statuses, sub.specs, sub.tasks};
  std::vector<std::string> spec_order;
  std::map<std::string, std::vector<std::string>> ids;  // SPEC -> taken task ids
  std::vector<std::pair<std::string, size_t>> reasons;
  for (const auto& t : catalog.tasks) {
    auto why = router::mismatch_reason(f, as_transition(t, sub));
    if (why.empty()) {
      const std::string spec = t.row.spec_id.empty() ? "(no SPEC)" : t.row.spec_id;
      if (!ids.count(spec)) spec_order.push_back(spec);
      ids[spec].push_back(t.row.id);
      ++r.rows_taken;
      continue;
    }
    auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& p) { return p.first == why; });
    if (it == reasons.end())
      reasons.emplace_back(why, 1);
    else
      ++it->second;
  }
  for (const auto& spec : spec_order) {
    auto list = ids[spec];
    size_t more = list.size() > kMaxIdsPerSpec ? list.size() - kMaxIdsPerSpec : 0;
    list.resize(std::min(list.size(), kMaxIdsPerSpec));
    r.taken.push_back(spec + ": " + join(list, " ") +
                      (more ? " ... (" + std::to_string(more) + " more)" : ""));
  }
  for (const auto& [why, n] : reasons)
    r.refusals.push_back(why + " (" + std::to_string(n) + (n == 1 ? " row)" : " rows)"));
  return r;
}

void print_reach(std::ostream& os, const std::vector<config::subscription_settings>& subs,
                 const spec_catalog& catalog) {
  os << "what each subscription would receive, for the task files as they are now ("
     << catalog.spec_ids.size() << " SPEC(s), " << catalog.tasks.size() << " task row(s)):\n";
  for (const auto& sub : subs) {
    auto r = reach_of(sub, catalog);
    os << "  " << r.name << ": ";
    if (!r.disabled.empty()) {
      os << "nothing: " << r.disabled << "\n";
      continue;
    }
    if (r.rows_total == 0) {
      os << "nothing yet: no task rows in SPEC.md or docs/<SPEC-ID>/tasks.md under the repo\n";
    } else if (r.rows_taken == 0) {
      os << "nothing from the " << r.rows_total << " task row(s)" << (sub.dry_run ? " (dry run)" : "")
         << "\n";
    } else {
      os << "a notification when any of " << r.rows_taken << " of " << r.rows_total
         << " task row(s) changes to " << (sub.statuses.empty() ? "any status" : join(sub.statuses, " or "))
         << (sub.dry_run ? " (dry run: recorded in evidence, not sent)" : "") << "\n";
      for (const auto& line : r.taken) os << "      " << logging::escape_controls(line) << "\n";
    }
    for (const auto& why : r.refusals) os << "      not: " << logging::escape_controls(why) << "\n";
    std::vector<std::string> others;
    for (const auto& ev : sub.events)
      if (ev != event_type::task_transitioned) others.push_back(ev);
    if (!others.empty() || sub.events.empty())
      os << "      also: " << (others.empty() ? "stage and pipeline events" : join(others, ", "))
         << (sub.specs.empty() ? "" : " of the SPECs its specs filter matches") << "\n";
  }
}

}  // namespace spec_notify::app
