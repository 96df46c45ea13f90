#!/usr/bin/env bash
# A stuck peer cannot hold shutdown. The subscription's timeout is 60 s and its endpoint drips its TLS
# handshake (one byte per 500 ms), so an attempt is stuck inside the handshake when SIGTERM arrives. The
# deliverer waits its 5 s drain deadline, then cancels the request (the watchdog shuts the socket down, even
# mid-handshake), and the daemon must exit 0 within drain + 3 s, well before the 60 s attempt timeout.
# The delivery stays in the spool: at the next start it is attempted again (same webhook-id).
source "$(dirname "$0")/faultlib.sh"

new_secret STOP_SECRET
new_spec_dir SPEC-KIT-312-stuckstop 2
start_tls_drip_server
serve_sub_blocks stuck "$DRIP_URL" STOP_SECRET 60s 3 50ms 100ms ca_file="$DRIP_CA"
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done
wait_until 15 file_has "$WORK/drip.jsonl" '"ev": "connect"' || fail "the daemon never connected to the endpoint"

start_ns=$(date +%s%N)
kill -TERM "$DAEMON_PID"
wait_until 8 daemon_exited "$DAEMON_PID" || {
  tail -20 "$WORK/daemon.log" >&2
  fail "serve still running 8 s after SIGTERM (drain deadline 5 s + 3 s margin): a stuck handshake holds shutdown"
}
rc=0
wait "$DAEMON_PID" || rc=$?
elapsed=$(( ($(date +%s%N) - start_ns) / 1000000 ))
[ "$rc" -eq 0 ] || { tail -20 "$WORK/daemon.log" >&2; fail "serve exited with $rc on SIGTERM (want 0)"; }
file_has "$WORK/daemon.log" "stop deadline reached; aborting 1 request" ||
  { tail -20 "$WORK/daemon.log" >&2; fail "the deliverer did not abort its in-flight request at the drain deadline"; }
wait_until 5 file_has "$WORK/drip.jsonl" '"ev": "handshake_cut"' || fail "the endpoint never saw the handshake cut"
echo "stuck peer shutdown: serve exited ${elapsed} ms after SIGTERM: OK"
