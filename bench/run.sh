#!/usr/bin/env bash
# The one benchmark command: builds Release into build-bench/ (if needed), runs every scenario against the real
# daemon over loopback, prints the table, writes bench/results/latest.json, the plots docs/bench-latency.png and
# docs/bench-throughput.png, and refreshes the generated block of docs/benchmarks.md.
#
# Usage: bash bench/run.sh                      the full run (what docs/benchmarks.md records)
#        bash bench/run.sh [bench.py options]    a partial run, e.g. --only burst --burst 2000, into
#                                                bench/results/partial/ (see: python3 bench/bench.py -h)
# Needs: wrk, gnuplot (gnuplot-nox), python3; `bash deploy/setup.sh --bench` installs them.
# Not part of ctest. Takes about 3-5 minutes on 2 cores (the 100k backlog is the long part).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
RESULTS=$ROOT/bench/results

for tool in wrk gnuplot python3 cmake; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is missing (bash deploy/setup.sh --bench)" >&2; exit 2; }
done
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" ||
  echo "bench/run.sh: warning: $BUILD is not a Release build" >&2
cmake --build "$BUILD" -j"$(nproc)" --target spec-notify bench_receiver spool_count >/dev/null

# A run with options (a subset, other sizes, a profiler wrap) is a partial run: its files go to
# bench/results/partial/ and neither the plots nor docs/benchmarks.md are touched.
[ "$#" -gt 0 ] && RESULTS=$RESULTS/partial
mkdir -p "$RESULTS"
python3 "$ROOT/bench/bench.py" --bin "$BUILD/spec-notify" --receiver "$BUILD/bench/bench_receiver" \
  --spool-count "$BUILD/bench/spool_count" --build-dir "$BUILD" --results-dir "$RESULTS" "$@"
[ "$#" -gt 0 ] && exit 0

# Plots (only from the data files this run wrote).
if [ -s "$RESULTS/latency-prd.dat" ]; then
  series="'$RESULTS/latency-prd.dat' using (\$1<0.5?0.5:\$1):((\$0+1)/$(wc -l <"$RESULTS/latency-prd.dat")) with steps lw 2 title 'healthy endpoint alone (PRD 10x50)'"
  [ -s "$RESULTS/latency-isolation.dat" ] &&
    series+=", '$RESULTS/latency-isolation.dat' using (\$1<0.5?0.5:\$1):((\$0+1)/$(wc -l <"$RESULTS/latency-isolation.dat")) with steps lw 2 title 'healthy endpoint beside a blackholed one'"
  gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output '$ROOT/docs/bench-latency.png'
set title 'Detection -> first delivery attempt (CDF)'
set xlabel 'milliseconds (log scale)'
set ylabel 'fraction of deliveries'
set logscale x
set grid
set key bottom right
set yrange [0:1.02]
set arrow from 100, graph 0 to 100, graph 1 nohead dt 2 lc rgb 'red'
set label 'target p99 < 100 ms' at 105, graph 0.55 tc rgb 'red'
plot $series
GP
fi
if [ -s "$RESULTS/throughput-burst.dat" ]; then
  series="'$RESULTS/throughput-burst.dat' using (\$1/1000):2 with lines lw 2 title 'bench_receiver (fast, verifying)'"
  [ -s "$RESULTS/throughput-burst-receive.dat" ] &&
    series+=", '$RESULTS/throughput-burst-receive.dat' using (\$1/1000):2 with lines lw 2 title 'spec-notify receive (verifying, JSON lines)'"
  gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output '$ROOT/docs/bench-throughput.png'
set title 'Burst: one SPEC.md save flips the tasks to Done; deliveries received over time'
set xlabel 'seconds since the save'
set ylabel 'deliveries received'
set grid
set key bottom right
plot $series
GP
fi
python3 "$ROOT/bench/report.py" "$RESULTS/latest.json" "$ROOT/docs/benchmarks.md"
