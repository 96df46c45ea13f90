#!/usr/bin/env bash
# Outbound proxy (issue 17 item 4) against a real tinyproxy on loopback, one `--test` delivery per case:
#   plain        http target through the proxy (absolute-URI request)                      -> HTTP 200
#   tls          https://localhost through a CONNECT tunnel, certificate for localhost      -> HTTP 200
#   wrongname    the same with a certificate for wrong.example                              -> the TLS error
#                of wrongdirect (no proxy), word for word; the endpoint gets no request
#   refused_tls / refused_plain   a proxy that denies us (tinyproxy Allow elsewhere)         -> 403, no request
#   blackhole    a proxy that accepts and never answers                                     -> fails at timeout
#   envtls       no proxy key: HTTPS_PROXY from the environment, with credentials (BasicAuth) -> HTTP 200
#   direct       proxy = "" : direct although HTTPS_PROXY is set; NO_PROXY=localhost likewise
#   an unusable HTTPS_PROXY (socks5://) fails the attempt, never a direct connection
# The proxy credentials appear in no output or evidence file.
source "$(dirname "$0")/faultlib.sh"
command -v tinyproxy >/dev/null || fail "tinyproxy is required (deploy/setup.sh --tests installs it)"
command -v openssl >/dev/null || fail "openssl is required"

new_secret PX_SECRET
new_spec_dir SPEC-KIT-778-proxy 1
task_table 1 1 | save_atomically "$spec_dir/tasks.md"

pki=$WORK/pki
mkdir -p "$pki"
openssl_q() { openssl "$@" >>"$WORK/openssl.log" 2>&1 || fail "openssl $1 failed (see $WORK/openssl.log)"; }
openssl_q req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=spec-notify proxy test CA" \
  -keyout "$pki/ca.key" -out "$pki/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
leaf() {  # leaf NAME SAN: a CA-signed server certificate
  openssl_q req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$2" > "$pki/$1.ext"
  openssl_q x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem"
}
leaf localhost "DNS:localhost,IP:127.0.0.1"
leaf wrong "DNS:wrong.example"

start_fault_server "$WORK/plain.jsonl" "$WORK/plain.port" "$WORK/server.log" 200
start_fault_server "$WORK/tls.jsonl" "$WORK/tls.port" "$WORK/server.log" 200 --cert "$pki/localhost.pem" --key "$pki/localhost.key"
start_fault_server "$WORK/wrong.jsonl" "$WORK/wrong.port" "$WORK/server.log" 200 --cert "$pki/wrong.pem" --key "$pki/wrong.key"

PROXY_USER=pxuser
PROXY_PASSWORD=PXSECRETPASSWORD
# start_tinyproxy NAME [CONFIG LINES...]: a tinyproxy in the foreground on a free loopback port ($NAME.port),
# logging to $WORK/NAME.log.
start_tinyproxy() {
  local name=$1 port; shift
  port=$(free_port)
  {
    printf 'Port %s\nListen 127.0.0.1\nTimeout 30\nLogLevel Info\nMaxClients 20\n' "$port"
    printf 'LogFile "%s"\nPidFile "%s"\n' "$WORK/$name.log" "$WORK/$name.pid"
    printf '%s\n' "$@"
  } > "$WORK/$name.conf"
  tinyproxy -d -c "$WORK/$name.conf" >>"$WORK/$name.out.log" 2>&1 &
  PIDS+=($!)
  echo "$port" > "$WORK/$name.port"
  wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || fail "tinyproxy $name did not start"
}
start_tinyproxy open "Allow 127.0.0.1"
start_tinyproxy auth "Allow 127.0.0.1" "BasicAuth $PROXY_USER $PROXY_PASSWORD"
start_tinyproxy deny "Allow 10.255.255.1"
# A blackhole proxy: accepts connections and reads, never answers.
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$WORK/blackhole.port" >>"$WORK/blackhole.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/blackhole.port" || fail "blackhole proxy did not start"

proxy() { echo "http://127.0.0.1:$(cat "$WORK/$1.port")"; }
target() { echo "$1://localhost:$(cat "$WORK/$2.port")/h"; }
CFG="$WORK/config.toml"
config_toml \
  -- plain "http://127.0.0.1:$(cat "$WORK/plain.port")/h" PX_SECRET proxy="$(proxy open)" \
  -- tls "$(target https tls)" PX_SECRET proxy="$(proxy open)" ca_file="$pki/ca.pem" \
  -- wrongname "$(target https wrong)" PX_SECRET proxy="$(proxy open)" ca_file="$pki/ca.pem" \
  -- wrongdirect "$(target https wrong)" PX_SECRET ca_file="$pki/ca.pem" proxy="" \
  -- refused_tls "$(target https tls)" PX_SECRET proxy="$(proxy deny)" ca_file="$pki/ca.pem" \
  -- refused_plain "http://127.0.0.1:$(cat "$WORK/plain.port")/h" PX_SECRET proxy="$(proxy deny)" \
  -- blackhole "$(target https tls)" PX_SECRET proxy="$(proxy blackhole)" ca_file="$pki/ca.pem" timeout=2s \
  -- envtls "$(target https tls)" PX_SECRET ca_file="$pki/ca.pem" \
  -- direct "$(target https tls)" PX_SECRET ca_file="$pki/ca.pem" proxy="" > "$CFG"
AUTH_PROXY="http://$PROXY_USER:$PROXY_PASSWORD@127.0.0.1:$(cat "$WORK/auth.port")"

run() {  # run NAME [ENV=VALUE...]: `--test` of subscription NAME; stdout+stderr -> NAME.out, exit code -> $rc
  local name=$1; shift
  set +e; env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u NO_PROXY -u no_proxy "$@" \
    "$BIN" --test SPEC-KIT-778 --subscription "$name" --config "$CFG" >"$WORK/$name.out" 2>&1; rc=$?; set -e
}
expect() {  # expect NAME RC REGEX
  [ "$rc" = "$2" ] || fail "$1: exit $rc, want $2: $(cat "$WORK/$1.out")"
  grep -Eq -- "$3" "$WORK/$1.out" || fail "$1: no /$3/ in: $(cat "$WORK/$1.out")"
}
proxied() { grep -q "$2" "$WORK/$1.log" || fail "the $1 proxy did not see '$2': $(tail -5 "$WORK/$1.log")"; }

"$BIN" check-config --config "$CFG" >"$WORK/check.out" 2>&1 || fail "check-config: $(cat "$WORK/check.out")"

echo "== plain http through the proxy"
run plain
expect plain 0 '^HTTP 200 in'
has_requests "$WORK/plain.jsonl" 1 || fail "plain: the endpoint saw nothing"
proxied open "POST http://127.0.0.1:$(cat "$WORK/plain.port")/h"

echo "== https through a CONNECT tunnel: verified against localhost"
run tls
expect tls 0 '^HTTP 200 in'
has_requests "$WORK/tls.jsonl" 1 || fail "tls: the endpoint saw nothing"
proxied open "CONNECT localhost:$(cat "$WORK/tls.port")"

echo "== a wrong-name certificate fails through the proxy as without it"
run wrongname
expect wrongname 1 'TLS: .*certificate'
run wrongdirect
expect wrongdirect 1 'TLS: .*certificate'
[ "$(grep -o 'TLS: .*' "$WORK/wrongname.out")" = "$(grep -o 'TLS: .*' "$WORK/wrongdirect.out")" ] ||
  fail "proxied and direct TLS failures differ: $(cat "$WORK/wrongname.out" "$WORK/wrongdirect.out")"
has_requests "$WORK/wrong.jsonl" 1 && fail "wrongname: the endpoint received a request"
proxied open "CONNECT localhost:$(cat "$WORK/wrong.port")"

echo "== a proxy that refuses"
n_tls=$(requests_in "$WORK/tls.jsonl"); n_plain=$(requests_in "$WORK/plain.jsonl")
run refused_tls
expect refused_tls 1 'proxy refused the CONNECT tunnel: HTTP 403'
run refused_plain
expect refused_plain 1 '^HTTP 403 in'
[ "$(requests_in "$WORK/tls.jsonl")" = "$n_tls" ] && [ "$(requests_in "$WORK/plain.jsonl")" = "$n_plain" ] ||
  fail "a refusing proxy forwarded a request"

echo "== a proxy that blackholes: the attempt fails at timeout"
start_ms=$(date +%s%3N)
run blackhole
took=$(( $(date +%s%3N) - start_ms ))
expect blackhole 1 'timeout after 2000 ms'
[ "$took" -ge 1900 ] && [ "$took" -lt 6000 ] || fail "blackhole: took $took ms, want about 2000"

echo "== HTTPS_PROXY from the environment, with credentials; explicit config and NO_PROXY win"
run envtls HTTPS_PROXY="$AUTH_PROXY"
expect envtls 0 '^HTTP 200 in'
proxied auth "CONNECT localhost:$(cat "$WORK/tls.port")"
run envtls HTTPS_PROXY="http://127.0.0.1:$(cat "$WORK/auth.port")"
expect envtls 1 'proxy refused the CONNECT tunnel: HTTP 407'
before=$(grep -c CONNECT "$WORK/open.log")
run direct HTTPS_PROXY="$(proxy open)"
expect direct 0 '^HTTP 200 in'
run envtls HTTPS_PROXY="$(proxy open)" NO_PROXY="example.com,localhost"
expect envtls 0 '^HTTP 200 in'
[ "$(grep -c CONNECT "$WORK/open.log")" = "$before" ] || fail "proxy = \"\" or NO_PROXY still went through the proxy"
run envtls HTTPS_PROXY="$(proxy open)"
expect envtls 0 '^HTTP 200 in'
[ "$(grep -c CONNECT "$WORK/open.log")" -gt "$before" ] || fail "HTTPS_PROXY was not used"

echo "== an unusable HTTPS_PROXY fails the attempt instead of going direct"
n_tls=$(requests_in "$WORK/tls.jsonl")
run envtls HTTPS_PROXY="socks5://127.0.0.1:1"
expect envtls 1 'no response after [0-9]+ ms: environment variable HTTPS_PROXY is not a usable proxy'
[ "$(requests_in "$WORK/tls.jsonl")" = "$n_tls" ] || fail "an unusable HTTPS_PROXY went direct"

echo "== the proxy password appears nowhere"
leaks=$(grep -rlaF -e "$PROXY_PASSWORD" -e "$(printf '%s:%s' "$PROXY_USER" "$PROXY_PASSWORD" | base64)" "$WORK" \
  --exclude=auth.conf --exclude='auth.log' || true)
[ -z "$leaks" ] || fail "the proxy password leaked into: $leaks"
echo "proxy: OK"
