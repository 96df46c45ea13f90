#!/usr/bin/env bash
# Idle cost of the daemon (issue 18 item 3): for each N, a repo with N SPEC folders (docs/SPEC-KIT-<i>-idle/
# tasks.md, 5 rows each) plus SPEC.md, `spec-notify serve` with one subscription (nothing is sent: the repo does
# not change), admin on, poll_interval 1s (the default). After "baseline recorded" and a 3 s settle, the daemon's
# own CPU time over SECONDS is read from /proc/<pid>/stat (utime+stime, clock ticks) and, at nanosecond
# resolution, from the sum of /proc/<pid>/task/*/schedstat; both are reported as % of one core, with the
# daemon's context switches per second (how often its threads wake). Then a latency probe: 20 atomic saves of
# one tasks.md, 300 ms apart, each flipping T1 (Backlog <-> Done); save -> the differ's transition line in the
# log (ms, the log's clock) p50 / max. (The subscription takes pipeline events only, so the probe's
# transitions are not delivered: no retries to an absent endpoint in the log.) The figures are the daemon's own CPU time, so other load on the machine shifts
# them little; note `uptime` anyway (printed first).
#
# Usage: bash bench/idle_cpu.sh [-b BIN] [-s SECONDS] [N ...]     (defaults: build-bench/spec-notify, 30, 200
#        1000 30000). Not part of ctest; docs/benchmarks.md "Idle cost" records a run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=""
SECONDS_IDLE=30
while getopts "b:s:" opt; do
  case $opt in
    b) BIN=$OPTARG ;;
    s) SECONDS_IDLE=$OPTARG ;;
    *) echo "usage: $0 [-b BIN] [-s SECONDS] [N ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(200 1000 30000)
if [ -z "$BIN" ]; then
  BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target spec-notify >/dev/null
  BIN=$BUILD/spec-notify
fi
WORK=$(mktemp -d /tmp/spec-notify-idle-XXXXXX)
DAEMON_PID=""
cleanup() {
  [ -z "$DAEMON_PID" ] || kill "$DAEMON_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
CLK_TCK=$(getconf CLK_TCK)
export IDLE_SECRET
IDLE_SECRET=$("$BIN" secret new)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# task_table DONE: 5 rows, T1..TDONE Done.
task_table() {
  printf '# Tasks\n\n| Task ID | Title | Status |\n|---|---|---|\n'
  for i in 1 2 3 4 5; do
    if [ "$i" -le "$1" ]; then s=Done; else s=Backlog; fi
    printf '| T%d | Task %d | %s |\n' "$i" "$i" "$s"
  done
}

# cpu_sample PID: "<utime+stime ticks> <sum of schedstat run ns> <context switches>" of all its threads.
cpu_sample() {
  local pid=$1 ticks ns=0 sw=0 t a b
  # Fields 14 and 15 of /proc/PID/stat; the command name (field 2) may hold spaces, so cut after its ')'.
  ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
  for t in /proc/"$pid"/task/*; do
    read -r a _ < "$t/schedstat" || continue
    ns=$((ns + a))
    b=$(awk '/ctxt_switches/ {n += $2} END {print n + 0}' "$t/status" 2>/dev/null || echo 0)
    sw=$((sw + b))
  done
  echo "$ticks $ns $sw"
}

echo "uptime: $(uptime)"
echo "binary: $BIN"
printf '%-7s %-10s %-12s %-14s %-10s %-22s\n' N "baseline s" "cpu % (stat)" "cpu % (sched)" "wakeups/s" "save->differ p50/max ms"
for n in "${SIZES[@]}"; do
  w=$WORK/n$n
  mkdir -p "$w/repo/docs"
  python3 - "$w/repo" "$n" <<'PY'
import os, sys
repo, n = sys.argv[1], int(sys.argv[2])
table = "# Tasks\n\n| Task ID | Title | Status |\n|---|---|---|\n" + "".join(
    "| T%d | Task %d | Backlog |\n" % (i, i) for i in range(1, 6))
open(os.path.join(repo, "SPEC.md"), "w").write("# Tracker\n\n" + table)
for i in range(1, n + 1):
    d = os.path.join(repo, "docs", "SPEC-KIT-%d-idle" % i)
    os.makedirs(d)
    open(os.path.join(d, "tasks.md"), "w").write(table)
PY
  cat >"$w/config.toml" <<EOF
[notify]
repo = "repo"
state_dir = "state"
admin = "127.0.0.1:$(free_port)"
poll_interval = "1s"

[[notify.subscriptions]]
name = "idle"
url = "http://127.0.0.1:9/hooks"
secret_env = "IDLE_SECRET"
events = ["spec-auto.pipeline.completed"]
EOF
  log=$w/daemon.log
  t_start=$(date +%s%N)
  "$BIN" serve --config "$w/config.toml" >>"$log" 2>&1 &
  DAEMON_PID=$!
  deadline=$(($(date +%s) + 300))
  until grep -q "baseline recorded" "$log" 2>/dev/null; do
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "daemon exited; see:" >&2; tail "$log" >&2; exit 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "no baseline after 300 s" >&2; exit 1; }
    sleep 0.1
  done
  baseline_s=$(awk -v a="$t_start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
  sleep 3
  read -r ticks0 ns0 sw0 < <(cpu_sample "$DAEMON_PID")
  t0=$(date +%s%N)
  sleep "$SECONDS_IDLE"
  read -r ticks1 ns1 sw1 < <(cpu_sample "$DAEMON_PID")
  t1=$(date +%s%N)
  stat_pct=$(awk -v d=$((ticks1 - ticks0)) -v hz="$CLK_TCK" -v t=$((t1 - t0)) 'BEGIN {printf "%.3f", 100 * d / hz / (t / 1e9)}')
  sched_pct=$(awk -v d=$((ns1 - ns0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.3f", 100 * d / t}')
  wake=$(awk -v d=$((sw1 - sw0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.1f", d / (t / 1e9)}')

  # Latency probe: save time (ns, before the rename) vs the timestamp of the differ's line for that save.
  f=$w/repo/docs/SPEC-KIT-1-idle/tasks.md
  : >"$w/saves"
  for k in $(seq 1 20); do
    task_table $((k % 2)) >"$f.tmp~"
    seen=$(grep -c "SPEC-KIT-1-idle/tasks.md:.* T1 " "$log" || true)
    date +%s%N >>"$w/saves"
    mv -f "$f.tmp~" "$f"
    deadline=$(($(date +%s) + 10))
    until [ "$(grep -c "SPEC-KIT-1-idle/tasks.md:.* T1 " "$log" || true)" -gt "$seen" ]; do
      [ "$(date +%s)" -lt "$deadline" ] || break
      sleep 0.01
    done
    sleep 0.3
  done
  lat=$(grep "SPEC-KIT-1-idle/tasks.md:.* T1 " "$log" | tail -n 20 | python3 -c '
import sys, datetime as dt
saves = [int(l) / 1e6 for l in open(sys.argv[1])]
seen = []
for line in sys.stdin:
    ts = line.split()[0]
    seen.append(dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp() * 1000)
d = sorted(b - a for a, b in zip(saves, seen))
print("%.0f / %.0f" % (d[len(d) // 2], d[-1]) if len(d) == len(saves) else "n/a (missed saves)")
' "$w/saves")
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID" || true
  DAEMON_PID=""
  printf '%-7s %-10s %-12s %-14s %-10s %-22s\n' "$n" "$baseline_s" "$stat_pct" "$sched_pct" "$wake" "$lat"
  rm -rf "$w"
done
echo "uptime: $(uptime)"
