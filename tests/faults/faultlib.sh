# Shared helpers for the fault tests (sourced after nothing else): the integration helpers plus a misbehaving
# endpoint (fault_server.py) and a few readers of the daemon log / the endpoint's JSON lines.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
FAULTS_DIR="$TEST_DIR/faults"
# The system interpreter starts in ~50 ms; a pyenv shim first on PATH can take seconds on a busy machine.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3) || fail "python3 is required"; fi
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_fault_server OUT PORT_FILE LOG SCRIPT [--cert PEM --key PEM]: see fault_server.py for SCRIPT. Sets
# FAULT_PID (also in PIDS for the cleanup).
start_fault_server() {
  local out=$1 port_file=$2 log=$3 script=$4; shift 4
  "$PY" "$FAULTS_DIR/fault_server.py" --out "$out" --ready-file "$port_file" --script "$script" "$@" \
    >>"$log" 2>&1 &
  FAULT_PID=$!
  PIDS+=($FAULT_PID)
  wait_until 10 test -s "$port_file" || fail "fault server did not start (see $log)"
}

# sub_block NAME URL SECRET_ENV TIMEOUT MAX_ATTEMPTS INITIAL MAX [KEY=VALUE...]: one [[notify.subscriptions]]
# table (lib.sh's subscription) as the fault tests use it: one request at a time, the given timeout and retry
# schedule (multiplier 2.0); KEY=VALUE pairs add keys or replace these (max_in_flight=4).
sub_block() {
  subscription "$1" "$2" "$3" max_in_flight=1 timeout="$4" retry.max_attempts="$5" retry.initial_backoff="$6" \
    retry.max_backoff="$7" retry.multiplier=2.0 "${@:8}"
}

# notify_header [STATE_DIR [KEY=VALUE...]]: the [notify] table (repo = $WORK/repo, state_dir = STATE_DIR or
# $WORK/state, free admin port, no metrics); KEY=VALUE pairs add keys.
notify_header() { notify_table repo="$WORK/repo" state_dir="${1:-$WORK/state}" "${@:2}"; }

# serve_sub_blocks SUB_BLOCK_ARGS... [-- SUB_BLOCK_ARGS...]: $WORK/config.toml of notify_header and one sub_block
# per group, and a daemon serving it (log $WORK/daemon.log) that has recorded its baseline.
serve_sub_blocks() {
  local group=()
  {
    notify_header
    while [ $# -gt 0 ]; do
      group=()
      while [ $# -gt 0 ] && [ "$1" != -- ]; do group+=("$1"); shift; done
      [ $# -eq 0 ] || shift   # the --
      sub_block "${group[@]}"
    done
  } > "$WORK/config.toml"
  start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
}

# requests_in OUT [FILTER_JS]: number of "request" events in a fault server's JSON lines.
requests_in() {
  [ -s "$1" ] || { echo 0; return; }
  grep -c '"ev": "request"' "$1" || true
}
has_requests() { [ "$(requests_in "$1")" -ge "$2" ]; }
count_in_log() { local n; n=$(grep -c -- "$2" "$1" 2>/dev/null) || true; echo "${n:-0}"; }
log_has_at_least() { [ "$(count_in_log "$1" "$2")" -ge "$3" ]; }

# attempt_lines LOG SUB: the deliverer's per-attempt log lines of one subscription (retrying / dead letters).
attempt_lines() { grep -E "deliverer/$2: msg_[A-Za-z0-9_-]+ attempt [0-9]+:" "$1" || true; }

# evidence_lines SPEC: every evidence record (JSON lines) of a SPEC folder.
evidence_lines() { cat "$WORK"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/"$1"/webhooks/*.jsonl 2>/dev/null || true; }

# vm_kb PID FIELD: a /proc/PID/status field in kB (VmHWM, VmRSS).
vm_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# ---- small file systems for the state-dir tests ----
MOUNTS=()
fault_cleanup() {
  local code=$?
  set +e   # (exit CODE) below hands the status to cleanup; errexit must not end the trap there
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done   # nothing may hold the mounts
  wait 2>/dev/null || true
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  (exit "$code")
  cleanup
}
trap fault_cleanup EXIT

# mount_tmpfs DIR SIZE: a private tmpfs of SIZE (e.g. 4m) at DIR; false when mounting is not permitted.
mount_tmpfs() {
  mkdir -p "$1"
  [ "$(id -u)" -eq 0 ] || return 1
  mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>>"$WORK/mount.log" || return 1
  MOUNTS+=("$1")
}

# fill_fs DIR: writes DIR/filler until the file system is full (dd ends with "No space left on device").
fill_fs() {
  dd if=/dev/zero of="$1/filler" bs=64k >>"$WORK/fill.log" 2>&1 && fail "dd did not hit ENOSPC on $1"
  grep -q "No space left" "$WORK/fill.log" || fail "filling $1 failed for another reason (see $WORK/fill.log)"
  # tmpfs keeps partial pages of open files writable: top up with single bytes in new files until even that fails.
  local i=0
  while [ $i -lt 64 ] && printf x > "$1/f$i" 2>/dev/null; do i=$((i + 1)); done
}

# start_tls_drip_server: a self-signed 127.0.0.1 certificate in $WORK/pki and a fault server that drips its TLS
# handshake one byte per 500 ms, answering 200 once through; requests in $WORK/drip.jsonl, port in $WORK/drip.port.
# Sets DRIP_URL (its https URL) and DRIP_CA (the certificate, for a subscription's ca_file).
start_tls_drip_server() {
  command -v openssl >/dev/null || fail "openssl is required"
  mkdir -p "$WORK/pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -keyout "$WORK/pki/self.key" \
    -out "$WORK/pki/self.pem" -addext "subjectAltName=IP:127.0.0.1" >>"$WORK/openssl.log" 2>&1 ||
    fail "openssl req failed (see $WORK/openssl.log)"
  start_fault_server "$WORK/drip.jsonl" "$WORK/drip.port" "$WORK/server.log" 200 \
    --cert "$WORK/pki/self.pem" --key "$WORK/pki/self.key" --tls-drip 0.5
  DRIP_URL="https://127.0.0.1:$(cat "$WORK/drip.port")/h"
  DRIP_CA="$WORK/pki/self.pem"
}
