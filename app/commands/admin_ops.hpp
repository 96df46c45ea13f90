#pragma once
// Pieces shared by `--list`, `--replay` and the `admin` shell: option tables, argv -> admin_request, and the
// readable (and JSON) renderings of admin replies. Output never contains secrets: rows carry ids, names and
// error texts only.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "config/settings.hpp"
#include "messages/admin_protocol.hpp"

namespace spec_notify::app {

extern const std::vector<option_spec> list_options;
extern const std::vector<option_spec> replay_options;

// Build a request from parsed options (list: --failed --subscription --json; replay: IDs | --failed [--since]
// [--subscription]). On a usage error return false and set `error`.
bool build_list_request(const parsed_args& args, admin_request& req, bool& json, std::string& error);
bool build_replay_request(const parsed_args& args, admin_request& req, std::string& error);

// Loads the config named by --config / $SPEC_NOTIFY_CONFIG / ./config.toml for an operator command: problems
// go to stderr prefixed with `command`; returns 0, or 2 when the config is invalid. A secret env var that is
// not set is tolerated (these commands sign nothing, and operators rarely hold the secrets).
int load_ops_config(const parsed_args& args, const std::string& command, config::settings& out);

// "2026-11-25T01:02:03Z"; "-" for 0.
std::string format_time(int64_t unix_ms);
// "now", "in 4s", "3m ago", ... (coarse, one unit).
std::string relative_time(int64_t unix_ms, int64_t now_ms);

// Two sections (pending, dead letters) as aligned tables; `failed_only` omits the pending section.
void print_rows(std::ostream& os, const std::vector<list_row>& rows, bool failed_only, int64_t now_ms);
// {"pending":[...],"dead":[...]}: one object per row, times as ISO-8601 strings or null.
std::string rows_json(const std::vector<list_row>& rows);
// One line per status whose circuit is open (live.circuit == "open"), in the order given:
// "circuit OPEN for NAME since TIME (RELATIVE): pending deliveries wait for a probe and do not use up
// attempts". Nothing for closed circuits or subscriptions without a breaker.
void print_open_circuits(std::ostream& os, const std::vector<status_row>& statuses, int64_t now_ms);
// `--list`: the open circuits of reply.statuses (a blank line after them), then print_rows of reply.rows.
void print_list(std::ostream& os, const admin_reply& reply, bool failed_only, int64_t now_ms);
// `--list --json`: rows_json's members, then "circuits": one {"subscription","state":"open","since"} object
// per open circuit of reply.statuses (since as ISO-8601); [] when none is open.
std::string list_json(const admin_reply& reply);
// One line per id, then a summary. Returns true when every id was replayed.
bool print_replay(std::ostream& os, const admin_reply& reply);
void print_status(std::ostream& os, const admin_reply& reply, int64_t now_ms);

}  // namespace spec_notify::app
