#!/usr/bin/env bash
# Delivery throughput with the durable spool on (a benchmark, not a test: nothing is asserted beyond completion).
# One save turns N tasks Backlog -> Done; the real daemon detects them, spools N deliveries in LevelDB (router:
# synced batch; deliverer: delete after each 2xx), signs and POSTs them over loopback to `spec-notify receive`
# (verifying every signature). Prints deliveries/s for the delivery phase (first to last request at the receiver)
# and end to end (from the save to the last request).
#
# Usage: bench/delivery_throughput.sh [N=2000]
# Env:   SPEC_NOTIFY_BIN (default build/spec-notify), MAX_IN_FLIGHT (default 4, the config default),
#        RECEIVER_DELAY_MS (default 0: answer at once).
# Needs node (the lib.sh helpers). Everything runs in a temp dir that is removed afterwards.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SPEC_NOTIFY_BIN=${SPEC_NOTIFY_BIN:-$ROOT/build/spec-notify}
export SPEC_NOTIFY_TEST_DIR=$ROOT/tests
[ -x "$SPEC_NOTIFY_BIN" ] || { echo "no spec-notify binary at $SPEC_NOTIFY_BIN (set SPEC_NOTIFY_BIN)" >&2; exit 2; }
source "$ROOT/tests/integration/lib.sh"

N=${1:-2000}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-4}
DELAY=${RECEIVER_DELAY_MS:-0}
BENCH_SECRET=$("$BIN" secret new) || fail "secret new failed"
export BENCH_SECRET
spec_dir="$WORK/repo/docs/SPEC-KIT-900-bench"
mkdir -p "$spec_dir"
task_table "$N" 0 | save_atomically "$spec_dir/tasks.md"

delay_args=()
[ "$DELAY" -gt 0 ] && delay_args=(--delay "$DELAY")
start_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" --secret-env BENCH_SECRET "${delay_args[@]}"
cat > "$WORK/config.toml" <<TOML
[notify]
repo = "repo"
state_dir = "state"

[[notify.subscriptions]]
name = "bench"
url = "http://127.0.0.1:$(cat "$WORK/receiver.port")/hooks"
secret_env = "BENCH_SECRET"
max_in_flight = $MAX_IN_FLIGHT
timeout = "10s"
[notify.subscriptions.retry]
initial_backoff = "50ms"
max_backoff = "1s"
TOML

start_daemon "$WORK/config.toml" "$WORK/daemon.log"   # default log level: one info line per delivery
wait_until 30 file_has "$WORK/daemon.log" "baseline recorded" || fail "daemon did not record a baseline"

t0=$(date +%s%3N)
task_table "$N" "$N" | save_atomically "$spec_dir/tasks.md"
want=$N
deadline=$(( N / 20 + 60 ))
wait_until "$deadline" at_least_lines "$WORK/received.jsonl" "$want" ||
  fail "only $(lines_in "$WORK/received.jsonl") of $want requests within ${deadline} s"
state_kb=$(du -sk "$WORK/state" | cut -f1)

node - "$WORK/received.jsonl" "$t0" "$N" "$MAX_IN_FLIGHT" "$DELAY" "$state_kb" <<'JS'
const [out, t0s, ns, mif, delay, kb] = process.argv.slice(2);
const t0 = Number(t0s), n = Number(ns);
const lines = require("fs").readFileSync(out, "utf8").trim().split("\n").map(JSON.parse);
const bad = lines.filter((l) => l.status !== 200 || l.verified !== true).length;
const ids = new Set(lines.map((l) => l.body.task.id));
const at = lines.map((l) => Date.parse(l.received_at)).sort((a, b) => a - b);
const first = at[0], last = at[at.length - 1];
const phase = (last - first) / 1000, e2e = (last - t0) / 1000;
console.log(`delivery_throughput: ${n} deliveries (spool on, max_in_flight ${mif}, receiver delay ${delay} ms)`);
console.log(`  requests ${lines.length}, distinct tasks ${ids.size}, non-200 or unverified ${bad}`);
console.log(`  save -> first request ${first - t0} ms; first -> last request ${(last - first)} ms`);
console.log(`  deliveries/s (delivery phase): ${(n / Math.max(phase, 0.001)).toFixed(0)}`);
console.log(`  deliveries/s (end to end, from the save): ${(n / Math.max(e2e, 0.001)).toFixed(0)}`);
console.log(`  state_dir after the run: ${kb} KiB`);
JS
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || echo "note: serve exited with $? on SIGTERM" >&2
