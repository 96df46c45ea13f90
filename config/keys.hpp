#pragma once
// The configuration schema as data: the keys each table accepts and the closed value sets. One list feeds
// both the unknown-key check and known_keys(), so the docs can be tested against the code.
#include <string_view>

namespace spec_notify::config::keys {

// Keys of [notify]; "subscriptions" is the array of [[notify.subscriptions]] tables.
inline constexpr std::string_view kNotify[] = {"repo",
                                               "state_dir",
                                               "evidence_dir",
                                               "admin",
                                               "admin_allow_non_loopback",
                                               "metrics",
                                               "proxy",
                                               "dead_letter_retention",
                                               "evidence_max_bytes_per_spec",
                                               "poll_interval",
                                               "max_task_rows",
                                               "max_events_per_diff",
                                               "subscriptions"};

// Keys of each [[notify.subscriptions]] table; "retry" and "breaker" are the [notify.subscriptions.retry] and
// [notify.subscriptions.breaker] sub-tables.
inline constexpr std::string_view kSubscription[] = {"name",
                                                     "url",
                                                     "url_env",
                                                     "secret_env",
                                                     "github_secret_env",
                                                     "enabled",
                                                     "dry_run",
                                                     "events",
                                                     "statuses",
                                                     "specs",
                                                     "tasks",
                                                     "signature",
                                                     "format",
                                                     "template",
                                                     "content_type",
                                                     "ordering",
                                                     "max_in_flight",
                                                     "timeout",
                                                     "ca_file",
                                                     "allow_link_local",
                                                     "proxy",
                                                     "retry",
                                                     "rate_limit",
                                                     "rate_limit_burst",
                                                     "breaker"};

inline constexpr std::string_view kRetry[] = {"max_attempts", "initial_backoff", "max_backoff", "multiplier"};

// Keys of the [notify.subscriptions.breaker] sub-table.
inline constexpr std::string_view kBreaker[] = {"failures", "after", "probe"};

// Every type a subscription may list. None is on unless listed (the default list is the task type only).
inline constexpr std::string_view kEventTypes[] = {"spec-kit.task.transitioned", "spec-auto.stage.completed",
                                                   "spec-auto.pipeline.completed",
                                                   "spec-auto.consensus.conflict"};

// The event type whose subscriptions filter on statuses.
inline constexpr std::string_view kTaskEvent = "spec-kit.task.transitioned";

inline constexpr std::string_view kStatuses[] = {"Done",    "In Review", "In Progress",
                                                 "Blocked", "Backlog",   "Other"};

inline constexpr std::string_view kSignatureModes[] = {"standard", "github", "both"};

inline constexpr std::string_view kFormats[] = {"standard", "slack", "discord", "teams", "google-chat"};

inline constexpr std::string_view kOrderingModes[] = {"task", "spec", "none"};

}  // namespace spec_notify::config::keys
