#!/usr/bin/env bash
# A TLS endpoint that drips its handshake (ServerHello, certificate, ...) one byte every 500 ms (timeout = 2 s).
# Poco's handshake loop re-polls with the whole receive timeout after every byte, so before the per-attempt
# deadline covered connect + TLS this attempt hung for many minutes. Now each attempt must be cut about 2 s
# after the connection was opened (the endpoint sees the client close mid-handshake: "handshake_cut"), logged
# as a retryable timeout, and the delivery dead-lettered after max_attempts = 2. No HTTP byte ever reaches the
# endpoint (the handshake never completes).
source "$(dirname "$0")/faultlib.sh"

new_secret DRIP_SECRET
new_spec_dir SPEC-KIT-311-tlsdrip 2
start_tls_drip_server
serve_sub_blocks drip "$DRIP_URL" DRIP_SECRET 2s 2 50ms 100ms ca_file="$DRIP_CA"
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done

# 2 attempts x (2 s timeout + 3 s margin) + backoff: well before a dripped handshake could ever finish.
wait_until 12 file_has "$WORK/daemon.log" "deliverer/drip: .*moved to dead letters" ||
  { attempt_lines "$WORK/daemon.log" drip >&2; fail "drip: not dead-lettered within 12 s (attempts not cut at the 2 s timeout)"; }
wait_until 5 log_has_at_least "$WORK/drip.jsonl" '"ev": "handshake_cut"' 2 || fail "drip: the endpoint saw fewer than 2 cut handshakes"

"$PY" - "$WORK/drip.jsonl" <<'PY' || fail "tls handshake drip"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
show = "\n".join("  " + json.dumps(e) for e in events)
def bad(m):
    sys.exit("FAIL: %s\n%s" % (m, show))
connects = {e["conn"]: e["ms"] for e in events if e["ev"] == "connect"}
cuts = [e for e in events if e["ev"] == "handshake_cut"]
if any(e["ev"] == "request" for e in events): bad("a request got through a dripped handshake")
if len(cuts) < 2: bad("%d cut handshakes, want 2" % len(cuts))
for c in cuts[:2]:
    held = c["ms"] - connects[c["conn"]]
    if c["sent"] < 1: bad("conn %d: cut before any handshake byte was dripped" % c["conn"])
    if held < 1900 or held > 5000: bad("conn %d: handshake cut after %d ms, want ~2000 (timeout, +3 s margin)" % (c["conn"], held))
print("handshakes cut after " + "/".join(str(c["ms"] - connects[c["conn"]]) for c in cuts[:2]) + " ms")
PY
nt=$(attempt_lines "$WORK/daemon.log" drip | grep -c "timeout after 2000 ms" || true)
[ "$nt" -eq 2 ] || { attempt_lines "$WORK/daemon.log" drip >&2; fail "drip: $nt attempt line(s) say timeout, want 2"; }
stop_daemon
echo "tls handshake drip: OK"
