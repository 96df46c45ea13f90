#!/usr/bin/env bash
# The admin channel against the real binary, as a local attacker meets it:
# - `serve` issues the mutual-TLS credentials at first start (0700 folder, 0600 files, whatever the umask) and
#   the operator's `--list` and `admin status` work with no set-up step;
# - a squatter that holds the admin port first makes `serve` fail at start (exit 1, clear error), and with
#   `admin = "off"` the daemon runs without the admin actor;
# - a squatter TLS server on the port the operator's config names never receives a byte of application data
#   (so never the token): the operator's client refuses its certificate during the handshake;
# - a raw peer announcing a 4 GiB BASP payload costs the daemon nothing, and the operator still gets answers.
source "$(dirname "$0")/lib.sh"

umask 000  # modes must not depend on it
new_secret AUTH_SECRET
new_spec_dir SPEC-KIT-320-auth 2
ADMIN_PORT=$(free_port)
SQUAT_PORT=$(free_port)

write_config() {  # write_config FILE STATE ADMIN
  config_toml state_dir="$2" admin="$3" -- hooks "http://127.0.0.1:9/hooks" AUTH_SECRET dry_run=true > "$1"
}
CFG="$WORK/config.toml"
write_config "$CFG" state "127.0.0.1:$ADMIN_PORT"

start_daemon "$CFG" "$WORK/daemon.log"
wait_until 20 file_has "$WORK/daemon.log" "admin actor listening" || fail "admin actor did not start"
tls="$WORK/state/admin-tls"
[ "$(stat -c %a "$tls")" = 700 ] || fail "$tls has mode $(stat -c %a "$tls"), want 700"
for f in ca.pem daemon.pem daemon.key client.pem client.key; do
  [ "$(stat -c %a "$tls/$f")" = 600 ] || fail "$tls/$f has mode $(stat -c %a "$tls/$f"), want 600"
done
# The daemon holds the store, so --list can only succeed through the admin channel.
"$BIN" --list --config "$CFG" >"$WORK/list.out" 2>&1 || fail "--list against the daemon failed: $(cat "$WORK/list.out")"
echo status | "$BIN" admin --config "$CFG" >"$WORK/status.out" 2>&1 || fail "admin status failed"
grep -q "hooks" "$WORK/status.out" || fail "admin status does not name the subscription"

# A raw peer announcing a 4 GiB BASP payload, ten times.
python3 - "$ADMIN_PORT" <<'PY'
import socket, struct, sys
for _ in range(10):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(struct.pack(">B3xI", 1, 0) + struct.pack(">I", 0xFFFFFFFF) + bytes(20))
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
PY
kill -0 "$DAEMON_PID" || fail "daemon died after the raw BASP header"
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
[ "$rss_kb" -lt 200000 ] || fail "daemon peak RSS ${rss_kb} kB after a 4 GiB header announcement"
"$BIN" --list --config "$CFG" >"$WORK/list2.out" 2>&1 || fail "--list failed after the raw peers"

# A squatter TLS server (its own self-signed certificate, accepts any client) on the port another config of
# the same state dir names: the operator's client must refuse it during the handshake.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/squat.key" \
  -out "$WORK/squat.pem" -days 1 -subj "/CN=spec-notify daemon" >/dev/null 2>&1
python3 - "$SQUAT_PORT" "$WORK/squat.pem" "$WORK/squat.key" "$WORK/squat.got" "$WORK/squat.ready" <<'PY' &
import socket, ssl, sys, threading
port, cert, key, out, ready = sys.argv[1:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_OPTIONAL
ctx.load_verify_locations(cert)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(port))); srv.listen(8)
open(ready, "w").write("ready\n")
def serve(c):
    c.settimeout(10)
    try:
        t = ctx.wrap_socket(c, server_side=True)
        with open(out, "ab") as f:
            while True:
                b = t.recv(65536)
                if not b: break
                f.write(b)
    except Exception as e:
        with open(out + ".err", "a") as f: f.write(repr(e) + "\n")
    finally:
        c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
PIDS+=($!)
wait_until 10 test -s "$WORK/squat.ready" || fail "squatter did not start"
SQ_CFG="$WORK/squat-config.toml"
write_config "$SQ_CFG" state "127.0.0.1:$SQUAT_PORT"
if echo status | "$BIN" admin --config "$SQ_CFG" >"$WORK/squat-status.out" 2>&1; then
  fail "admin talked to the squatter: $(cat "$WORK/squat-status.out")"
fi
wait_until 10 test -s "$WORK/squat.got.err" || fail "the squatter saw no handshake attempt (test is not testing)"
[ ! -s "$WORK/squat.got" ] || fail "the squatter received application data: $(head -c 200 "$WORK/squat.got" | od -c | head)"
token=$(cat "$WORK/state/admin.token")
! grep -rqF "$token" "$WORK"/squat.* || fail "the admin token reached the squatter"

# serve with the admin port held by somebody else: exit 1 at start, naming the address.
write_config "$WORK/second.toml" state2 "127.0.0.1:$SQUAT_PORT"
set +e
timeout 30 "$BIN" serve --config "$WORK/second.toml" >"$WORK/second.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "serve with a taken admin port exited $rc, want 1"
grep -q "cannot listen on 127.0.0.1:$SQUAT_PORT" "$WORK/second.log" || fail "no clear bind error: $(cat "$WORK/second.log")"

# ... unless admin is off.
write_config "$WORK/off.toml" state3 off
"$BIN" serve --config "$WORK/off.toml" >"$WORK/off.log" 2>&1 &
OFF_PID=$!
PIDS+=($OFF_PID)
wait_until 20 file_has "$WORK/off.log" "admin actor off" || fail "serve with admin = \"off\" did not start"
kill -TERM "$OFF_PID"
wait_until 15 daemon_exited "$OFF_PID" || fail "serve (admin off) did not stop"
[ ! -e "$WORK/state3/admin-tls" ] || fail "admin = \"off\" still issued credentials"

kill -TERM "$DAEMON_PID"
wait_until 15 daemon_exited "$DAEMON_PID" || fail "daemon did not stop"
echo "admin_auth_test: ok"
