#!/usr/bin/env bash
# Slow-loris clients against the Prometheus endpoint. 8 connections send a request header one byte per second.
# While they are open a normal scrape must answer at once (< 2 s), and each slow connection must be cut by the
# server about 5 s (the per-request deadline) after it was taken up: Poco's own timeout is per read, which a
# byte every second never trips. Before the fix the endpoint had 4 threads and no deadline: 8 slow clients
# held every thread and scrapes hung.
source "$(dirname "$0")/faultlib.sh"
command -v curl >/dev/null || fail "curl is required"

new_spec_dir SPEC-KIT-313-metrics 2
mport=$(free_port)
notify_header "" metrics="127.0.0.1:$mport" > "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
scrape() { curl -sf --max-time "$1" -o "$WORK/metrics.txt" "http://127.0.0.1:$mport/metrics"; }
wait_until 10 scrape 2 || fail "the metrics endpoint never answered (see $WORK/daemon.log)"

# 8 slow clients; "ready" once each has sent 2 bytes (the server has taken them all up by then), results as
# JSON when every connection was closed by the server (or after 20 s).
"$PY" - "$mport" "$WORK/loris.ready" "$WORK/loris.json" >>"$WORK/loris.log" 2>&1 <<'PY' &
import json, os, socket, sys, threading, time
port, ready, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
request = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
results, sent2, lock = [], threading.Barrier(9), threading.Lock()
def loris(i):
    s = socket.create_connection(("127.0.0.1", port))
    opened = time.time()
    s.settimeout(1.0)
    closed_by_server, sent = False, 0
    while time.time() - opened < 20 and sent < len(request):
        try:
            s.sendall(request[sent:sent + 1])
            sent += 1
        except OSError:
            closed_by_server = True
            break
        if sent == 2:
            threading.Thread(target=sent2.wait, daemon=True).start()
        try:
            if s.recv(4096) == b"":
                closed_by_server = True
                break
        except socket.timeout:
            pass  # nothing from the server during this second: send the next byte
        except OSError:
            closed_by_server = True
            break
    with lock:
        results.append({"conn": i, "held_ms": int((time.time() - opened) * 1000), "sent": sent,
                        "closed_by_server": closed_by_server})
threads = [threading.Thread(target=loris, args=(i,)) for i in range(8)]
for t in threads: t.start()
sent2.wait()
open(ready, "w").write("ready\n")
for t in threads: t.join()
open(out + ".tmp", "w").write(json.dumps(results))
os.rename(out + ".tmp", out)
PY
PIDS+=($!)
wait_until 10 test -s "$WORK/loris.ready" || fail "the slow clients did not get going (see $WORK/loris.log)"

t0=$(date +%s%N)
scrape 10 || fail "a scrape failed while 8 slow clients were connected"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$took" -lt 2000 ] || fail "a scrape took $took ms while 8 slow clients were connected (want < 2000)"
grep -q "^spec_notify_" "$WORK/metrics.txt" || fail "the scrape is not the metrics text"

wait_until 15 test -s "$WORK/loris.json" || fail "the slow clients were not all cut within 15 s"
"$PY" - "$WORK/loris.json" <<'PY' || fail "slow clients"
import json, sys
rs = json.load(open(sys.argv[1]))
if len(rs) != 8: sys.exit("FAIL: %d results, want 8: %s" % (len(rs), rs))
for r in rs:
    if not r["closed_by_server"]: sys.exit("FAIL: connection %d never cut by the server: %s" % (r["conn"], rs))
    if not 4000 <= r["held_ms"] <= 8000: sys.exit("FAIL: connection %d cut after %d ms, want ~5000: %s" % (r["conn"], r["held_ms"], rs))
print("slow clients cut after " + "/".join(str(r["held_ms"]) for r in rs) + " ms")
PY
scrape 5 || fail "the endpoint does not answer after the slow clients"
echo "scrape while 8 slow clients were connected: $took ms"
stop_daemon
echo "metrics slow-loris: OK"
