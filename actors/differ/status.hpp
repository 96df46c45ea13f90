#pragma once
// Task status vocabulary of the differ: the five canonical categories of the contract ("Task transitions")
// plus Other, and the normalisation that maps a raw Status cell onto them. Pure functions, no state: safe to
// call from any thread.
#include <string>
#include <string_view>

namespace spec_notify::differ {

enum class task_status { backlog, in_progress, in_review, blocked, done, other };

// "Backlog", "In Progress", "In Review", "Blocked", "Done", "Other". Never null.
const char* canonical_name(task_status status);

// Inverse of canonical_name: exact, case-sensitive canonical names only. Returns false (out untouched)
// otherwise.
bool parse_canonical(std::string_view name, task_status& out);

// The contract's normalisation: strip `*`, `_`, backticks and `~` everywhere; trim; ASCII case-fold; collapse
// white space (ASCII white space and U+00A0); drop leading non-letters (anything but ASCII A-Z/a-z); then the
// first word, lists checked in the order Done, In Review, In Progress, Blocked, Backlog, that the text starts
// with and that is the whole text or is followed by ' ', '(', ':' or ','. Anything else is Other.
//   "**DONE**" -> done, "Done (2025-09-29)" -> done, "✅ Done" -> done, "**NEEDS REVIEW**" -> in_review,
//   "Blocked (HAL secret)" -> blocked, "**N/A**" -> other, "Done." -> other.
task_status normalise_status(std::string_view raw);

// Removes every `*`, `_`, backtick and `~`, then trims ASCII white space. Used for statuses, ids and headers.
std::string strip_emphasis(std::string_view text);

}  // namespace spec_notify::differ
