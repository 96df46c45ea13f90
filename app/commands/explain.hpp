#pragma once
// "What would each subscription receive?" for check-config and --test: runs every task row of the watched
// files as they are now through the router's own filter (router::matches / mismatch_reason), as if the row
// changed to one of the subscription's target statuses, and describes the result per subscription in a few
// lines: the rows it would be notified about (grouped by SPEC), or why it would get nothing.
// Pure: reads nothing itself (the caller scans the repo with scan_specs); thread-safe.
#include <ostream>
#include <string>
#include <vector>

#include "app/commands/test_sample.hpp"
#include "config/settings.hpp"

namespace spec_notify::app {

// One subscription's share of the current rows.
struct subscription_reach {
  std::string name;
  std::string disabled;                   // "" when enabled, else why it receives nothing
  size_t rows_total = 0, rows_taken = 0;  // task rows seen / rows a transition of which it would receive
  std::vector<std::string> taken;         // "SPEC-ID: T1 T2 ..." per SPEC, in catalog order
  std::vector<std::string> refusals;      // distinct mismatch reasons, "reason (N rows)", first seen first
};

subscription_reach reach_of(const config::subscription_settings& sub, const spec_catalog& catalog);

// Prints the header line and two or three lines per subscription (repo content escaped for the terminal).
void print_reach(std::ostream& os, const std::vector<config::subscription_settings>& subs,
                 const spec_catalog& catalog);

}  // namespace spec_notify::app
