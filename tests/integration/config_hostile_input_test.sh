#!/usr/bin/env bash
# Issue 11, through the real binary: hostile config files (a 50,000-segment dotted key, 50,000-deep arrays and
# inline tables, a 50,000-segment header, all in a table spec-notify ignores; a file over 1 MiB; a duration
# that overflows the clock; a link-local url in hex) make `check-config` exit 2 with a located message and never
# crash, at the default 8 MiB stack and at a small one; a reasonable config still passes at a small stack; a
# running daemon given such a file on SIGHUP rejects it, keeps running, and keeps its old config.
source "$(dirname "$0")/lib.sh"

new_secret HI_SECRET
mkdir -p "$WORK/repo"
# Eight lines (the line numbers below count on it): [notify] repo state_dir admin, [[notify.subscriptions]] name
# url secret_env.
good_config() { config_toml -- a "http://127.0.0.1:9/" HI_SECRET; }
good_config > "$WORK/good.toml"

repeat() { python3 -c 'import sys; sys.stdout.write(sys.argv[1] * int(sys.argv[2]))' "$1" "$2"; }
evil() {  # evil NAME: a good config followed by one hostile construct in an ignored table
  { good_config; echo "[other_tool]"; case $1 in
      dotted) echo "a$(repeat .a 49999) = 1" ;;
      arrays) echo "x = $(repeat '[' 50000)$(repeat ']' 50000)" ;;
      inline) echo "x = $(repeat '{a=' 50000)1$(repeat '}' 50000)" ;;
      header) echo "[a$(repeat .a 49999)]" ;;
      huge) echo "x = \"$(repeat x 1100000)\"" ;;
    esac; } > "$WORK/$1.toml"
}

# check_refused FILE STACK_KB PATTERN: exit 2 (not a signal), and the message names file:line and the problem.
check_refused() {
  local rc=0
  (ulimit -s "$2"; exec "$BIN" check-config --config "$1") >"$WORK/out.log" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { cat "$WORK/out.log" >&2; fail "check-config on $(basename "$1") at ${2} KiB stack: exit $rc, want 2"; }
  grep -q -- "$3" "$WORK/out.log" || { cat "$WORK/out.log" >&2; fail "no '$3' in the output for $(basename "$1")"; }
}

for name in dotted arrays inline header huge; do evil "$name"; done
# Sanitizer builds (.ci/sanitize.sh) multiply frame sizes and keep fake stacks: the small-stack rounds would
# measure the sanitizer, not the limits, so they run on the normal build only.
stacks="8192 1024 256"; good_stacks="8192 256"
if grep -qE 'lib(asan|tsan)' <<<"$(ldd "$BIN")"; then stacks=8192; good_stacks=8192; fi  # (whole ldd output first: pipefail)
for stack in $stacks; do
  check_refused "$WORK/dotted.toml" $stack "dotted.toml:10:[0-9]*: error: TOML structure too deep: dotted key"
  check_refused "$WORK/arrays.toml" $stack "arrays.toml:10:[0-9]*: error: TOML structure too deep: array"
  check_refused "$WORK/inline.toml" $stack "inline.toml:10:[0-9]*: error: TOML structure too deep"
  check_refused "$WORK/header.toml" $stack "header.toml:10:[0-9]*: error: TOML structure too deep: table header"
  check_refused "$WORK/huge.toml" $stack "huge.toml: error: config file is larger than 1 MiB"
done

# Overflowing durations and link-local targets are errors at the value, naming the key.
{ good_config; echo 'timeout = "999999999999h"'; } > "$WORK/duration.toml"
check_refused "$WORK/duration.toml" 8192 "duration.toml:9:11: error: subscription 'a': timeout: duration '999999999999h' is too large"
good_config | sed 's|http://127.0.0.1:9/|http://0xa9fea9fe/latest/meta-data/|' > "$WORK/metadata.toml"
check_refused "$WORK/metadata.toml" 8192 "metadata.toml:7:7: error: subscription 'a': url target refused: '0xa9fea9fe' (169.254.169.254)"

# A reasonable config passes, also on a small stack.
for stack in $good_stacks; do
  (ulimit -s $stack; exec "$BIN" check-config --config "$WORK/good.toml") >"$WORK/out.log" 2>&1 ||
    { cat "$WORK/out.log" >&2; fail "the good config was refused at ${stack} KiB stack"; }
  grep -q "config OK" "$WORK/out.log" || fail "no 'config OK' at ${stack} KiB stack"
done

# SIGHUP with a hostile file: rejected, the daemon lives on with its old config.
cp "$WORK/good.toml" "$WORK/config.toml"
start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
rejections() { grep -c "reload rejected" "$WORK/daemon.log" || true; }
more_rejections_than() { [ "$(rejections)" -gt "$1" ]; }
for name in dotted arrays inline header; do
  cp "$WORK/$name.toml" "$WORK/config.toml.new" && mv "$WORK/config.toml.new" "$WORK/config.toml"
  before=$(rejections)
  kill -HUP "$DAEMON_PID"
  wait_until 10 more_rejections_than "$before" || fail "hostile $name config was not rejected on SIGHUP"
  kill -0 "$DAEMON_PID" || fail "daemon died on a hostile $name reload"
done
file_has "$WORK/daemon.log" "TOML structure too deep" || fail "the rejection should say what is wrong"
stop_daemon
echo "config hostile input: OK"
