#!/usr/bin/env bash
# SIGHUP reload: a valid new config applies without losing queued deliveries (a delivery stuck on a failing
# URL is sent, same webhook-id, to the URL the new config names; a new subscription starts receiving); an
# invalid new config is rejected and the running one keeps working.
source "$(dirname "$0")/lib.sh"

new_secret RL_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-400-reload"
tasks() { printf '| Order | Task | Owner | Status | Validation |\n| --- | --- | --- | --- | --- |\n| 1 | R-1: one | Code | %s | - |\n| 2 | R-2: two | Code | %s | - |\n| 3 | R-3: three | Code | %s | - |\n' "$@"; }
tasks Backlog Backlog Backlog > "$WORK/repo/docs/SPEC-KIT-400-reload/tasks.md"

start_rx() {  # start_rx NAME [extra receive flags]
  start_receiver "$WORK/$1.jsonl" "$WORK/$1.port" "$WORK/$1.log" --secret-env RL_SECRET "${@:2}"
}
start_rx failing --status 500
start_rx good
start_rx extra
config() {  # config URL_A [with_extra]
  local extra=()
  [ "${2:-}" != extra ] || extra=(-- b "$(local_url "$WORK/extra.port" /)" RL_SECRET)
  config_toml -- a "$1" RL_SECRET retry.max_attempts=100 retry.initial_backoff=100ms retry.max_backoff=200ms \
    "${extra[@]}"
}
config "$(local_url "$WORK/failing.port" /)" > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

tasks Done Backlog Backlog | save_atomically "$WORK/repo/docs/SPEC-KIT-400-reload/tasks.md"
wait_until 10 has_lines "$WORK/failing.jsonl" 2 || fail "R-1 was not attempted against the failing URL"
stuck_id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["webhook_id"])' "$WORK/failing.jsonl")

# 1. An invalid config is rejected; the daemon keeps running the old one.
printf '[notify]\nrepo = "repo"\nstate_dir = "state"\nbogus_key = 1\n' > "$WORK/config.toml.new"
cp "$WORK/config.toml" "$WORK/config.toml.good"; mv "$WORK/config.toml.new" "$WORK/config.toml"
kill -HUP "$DAEMON_PID"
wait_until 10 file_has "$WORK/daemon.log" "reload rejected" || fail "invalid config was not rejected"
file_has "$WORK/daemon.log" "bogus_key" || fail "the rejection should name the bad key"
kill -0 "$DAEMON_PID" || fail "daemon died on an invalid reload"
n=$(line_count "$WORK/failing.jsonl")
wait_until 10 has_lines "$WORK/failing.jsonl" $((n + 1)) || fail "old config stopped retrying after a rejected reload"

# 2. A valid config: the queued delivery goes to the new URL with the same id; subscription b is live.
config "$(local_url "$WORK/good.port" /)" extra | save_atomically "$WORK/config.toml"
kill -HUP "$DAEMON_PID"
wait_until 10 has_lines "$WORK/good.jsonl" 1 || fail "queued delivery was lost across the reload"
got_id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["webhook_id"])' "$WORK/good.jsonl")
[ "$got_id" = "$stuck_id" ] || fail "webhook-id changed across reload: $stuck_id -> $got_id"
tasks Done Done Backlog | save_atomically "$WORK/repo/docs/SPEC-KIT-400-reload/tasks.md"
wait_until 10 has_lines "$WORK/extra.jsonl" 1 || fail "new subscription b got nothing"
wait_until 10 has_lines "$WORK/good.jsonl" 2 || fail "subscription a got nothing after the reload"
stop_daemon
echo "reload: OK"
