#!/usr/bin/env bash
# TLS peer verification. Certificates are generated at test time (openssl); the endpoints are python3 ssl servers
# on 127.0.0.1. Four subscriptions get the same transition:
#   selfsigned  - a self-signed certificate for 127.0.0.1, no ca_file (system CAs)      -> refused, never delivered
#   wronghost   - a certificate from our test CA for "wrong.example", ca_file = that CA -> refused (name mismatch)
#   trusted     - a certificate from our test CA for 127.0.0.1, ca_file = that CA        -> delivered
#   pinned      - the self-signed server again (second instance), ca_file = its cert     -> delivered
# Refused attempts must be logged as retries whose error mentions the certificate, end as dead letters after
# max_attempts = 2, and the refusing endpoints must never receive a request (no HTTP bytes before verification).
source "$(dirname "$0")/faultlib.sh"
command -v openssl >/dev/null || fail "openssl is required"

new_secret TLS_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-307-tls" "$WORK/pki"
task_table 2 0 | save_atomically "$WORK/repo/docs/SPEC-KIT-307-tls/tasks.md"

pki=$WORK/pki
openssl_q() { openssl "$@" >>"$WORK/openssl.log" 2>&1 || fail "openssl $1 failed (see $WORK/openssl.log)"; }
# test CA
openssl_q req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=spec-notify fault test CA" \
  -keyout "$pki/ca.key" -out "$pki/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
leaf() {  # leaf NAME SAN: a CA-signed server certificate
  openssl_q req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$2" > "$pki/$1.ext"
  openssl_q x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem"
}
leaf good "IP:127.0.0.1"
leaf wrong "DNS:wrong.example"
openssl_q req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -keyout "$pki/self.key" \
  -out "$pki/self.pem" -addext "subjectAltName=IP:127.0.0.1"

start_fault_server "$WORK/selfsigned.jsonl" "$WORK/selfsigned.port" "$WORK/server.log" 200 --cert "$pki/self.pem" --key "$pki/self.key"
start_fault_server "$WORK/wronghost.jsonl" "$WORK/wronghost.port" "$WORK/server.log" 200 --cert "$pki/wrong.pem" --key "$pki/wrong.key"
start_fault_server "$WORK/trusted.jsonl" "$WORK/trusted.port" "$WORK/server.log" 200 --cert "$pki/good.pem" --key "$pki/good.key"
start_fault_server "$WORK/pinned.jsonl" "$WORK/pinned.port" "$WORK/server.log" 200 --cert "$pki/self.pem" --key "$pki/self.key"
url() { echo "https://127.0.0.1:$(cat "$WORK/$1.port")/h"; }
{
  notify_header
  sub_block selfsigned "$(url selfsigned)" TLS_SECRET 5s 2 50ms 100ms
  sub_block wronghost "$(url wronghost)" TLS_SECRET 5s 2 50ms 100ms ca_file="$pki/ca.pem"
  sub_block trusted "$(url trusted)" TLS_SECRET 5s 2 50ms 100ms ca_file="$pki/ca.pem"
  sub_block pinned "$(url pinned)" TLS_SECRET 5s 2 50ms 100ms ca_file="$pki/self.pem"
} > "$WORK/config.toml"
"$BIN" check-config --config "$WORK/config.toml" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log" >&2; fail "check-config rejected the config"; }

start_daemon "$WORK/config.toml" "$WORK/daemon.log"
baseline_ready "$WORK/daemon.log"
task_table 2 1 | save_atomically "$WORK/repo/docs/SPEC-KIT-307-tls/tasks.md"   # T1 -> Done

for s in selfsigned wronghost; do
  wait_until 20 file_has "$WORK/daemon.log" "deliverer/$s: .*moved to dead letters" ||
    fail "$s: not dead-lettered within 20 s"
done
wait_until 15 has_requests "$WORK/trusted.jsonl" 1 || fail "trusted: nothing delivered with ca_file = the signing CA"
wait_until 15 has_requests "$WORK/pinned.jsonl" 1 || fail "pinned: nothing delivered with ca_file = the self-signed cert"

for s in selfsigned wronghost; do
  lines=$(attempt_lines "$WORK/daemon.log" "$s")
  echo "$lines"
  [ "$(grep -c . <<<"$lines")" -eq 2 ] || fail "$s: want 2 attempt lines (retrying, dead_lettered)"
  [ "$(grep -ci "certificate" <<<"$lines")" -eq 2 ] || fail "$s: the attempt errors do not mention the certificate"
  [ "$(requests_in "$WORK/$s.jsonl")" -eq 0 ] || fail "$s: the unverified endpoint received a request"
  file_has "$WORK/$s.jsonl" '"ev": "connect"' || fail "$s: the daemon never connected to the endpoint"
done
# The untrusted chain is refused inside the handshake (the server sees the client's alert); the wrong name is
# refused right after it, before a byte of HTTP.
file_has "$WORK/selfsigned.jsonl" '"ev": "tls_error"' || fail "selfsigned: the endpoint saw no refused handshake"
for s in trusted pinned; do
  [ -z "$(attempt_lines "$WORK/daemon.log" "$s")" ] || { attempt_lines "$WORK/daemon.log" "$s" >&2; fail "$s: failed attempts"; }
  [ "$(requests_in "$WORK/$s.jsonl")" -eq 1 ] || fail "$s: want exactly 1 request"
done
stop_daemon
echo "tls certificate: OK"
