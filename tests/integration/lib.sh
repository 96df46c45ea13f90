# Shared helpers for the integration tests (sourced). Real processes, real files, loopback only.
set -euo pipefail
BIN=${SPEC_NOTIFY_BIN:?SPEC_NOTIFY_BIN must point at the spec-notify binary}
TEST_DIR=${SPEC_NOTIFY_TEST_DIR:?}
WORK=$(mktemp -d /tmp/spec-notify-it-XXXXXX)
PIDS=()
cleanup() {
  local code=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$code" -ne 0 ]; then
    echo "--- test failed; logs from $WORK:" >&2
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }; done
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_until DEADLINE_SECONDS COMMAND...: polls the condition every 50 ms until it holds or the deadline passes.
wait_until() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

line_count() { [ -f "$1" ] && grep -c . "$1" || echo 0; }
has_lines() { [ "$(line_count "$1")" -ge "$2" ]; }
file_has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# save_atomically FILE: stdin -> FILE through a temp file + rename, as git and editors save.
save_atomically() { cat > "$1.tmp~" && mv -f "$1.tmp~" "$1"; }

ensure_verifiers() {
  [ -d "$TEST_DIR/integration/node_modules/standardwebhooks" ] ||
    fail "npm verifiers missing: run (cd tests/integration && npm install) or deploy/setup.sh --tests"
}

# start_verifier OUT_FILE PORT_FILE SECRET_ENV: the independent Node verifier (npm standardwebhooks +
# @octokit/webhooks-methods).
start_verifier() {
  node "$TEST_DIR/integration/verifier.js" --port 0 --ready-file "$2" --secret-env "$3" --out "$1" \
    >"$WORK/verifier.log" 2>&1 &
  PIDS+=($!)
  wait_until 10 test -s "$2" || fail "verifier did not start"
}

start_daemon() {  # start_daemon CONFIG LOG
  "$BIN" serve --config "$1" >>"$2" 2>&1 &
  DAEMON_PID=$!
  PIDS+=($DAEMON_PID)
}
