#!/usr/bin/env bash
# Fuzz CI: builds the libFuzzer targets of tests/fuzz with clang (build-fuzz, SPEC_NOTIFY_FUZZ=ON: libFuzzer +
# ASan + UBSan, -O1 -g1 -DNDEBUG) and runs each for FUZZ_SECONDS starting from its seed corpus tests/fuzz/corpus/<t>/.
# Any crash, sanitizer report, leak, timeout or OOM fails the run and prints the reproducer file and the
# command that replays it. See docs/testing.md.
#
# Environment:
#   FUZZ_SECONDS  time budget per target (default 60)
#   FUZZ_JOBS     targets fuzzed at the same time (default: nproc); each uses one core
#   FUZZ_TARGETS  space-separated subset (default: all of tests/fuzz/*_fuzz.cpp)
#   FUZZ_MERGE=1  afterwards, merge inputs that add coverage into tests/fuzz/corpus/<t>/ (for committing)
# Needs clang++ with compiler-rt (Debian: clang, libclang-rt-14-dev; `deploy/setup.sh --fuzz` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
build=$root/build-fuzz
out=$build/fuzz-out

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in "$root"/tests/fuzz/*_fuzz.cpp; do t=$(basename "$f" _fuzz.cpp); targets+=("$t"); done
fi

# Inputs longer than this are not generated; keeps executions fast while covering multi-table files etc.
max_len_of() {
  case "$1" in
    task_table | telemetry) echo 16384 ;;
    config) echo 8192 ;;
    signature) echo 4096 ;;
    duration_url | status) echo 512 ;;
    retry_after) echo 128 ;;
    *) echo 4096 ;;
  esac
}

command -v clang++ >/dev/null || { echo "clang++ not found: run deploy/setup.sh --fuzz" >&2; exit 2; }
t0=$SECONDS
echo "== configure build-fuzz (clang, SPEC_NOTIFY_FUZZ=ON)"
# NDEBUG as in release builds: toml++ 3.3's debug assertions abort on inputs its release parser rejects cleanly
# (e.g. "[/x]"), which would hide real findings. The project itself uses no assert().
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSPEC_NOTIFY_FUZZ=ON >/dev/null
echo "== build fuzz targets"
cmake --build "$build" -j"$(nproc)" --target fuzz_targets
echo "== built in $((SECONDS - t0)) s; fuzzing ${targets[*]} for ${seconds} s each, $jobs at a time"

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

run_one() {  # TARGET: fuzz it; writes $out/<t>/rc
  local t=$1 dir=$out/$1
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts"
  local rc=0
  # New inputs go to the first (scratch) corpus dir; the checked-in seeds are only read.
  "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len="$(max_len_of "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" "$root/tests/fuzz/corpus/$t" >"$dir/log" 2>&1 || rc=$?
  echo "$rc" >"$dir/rc"
}

fuzz_t0=$SECONDS
for t in "${targets[@]}"; do
  [ -x "$build/tests/fuzz/${t}_fuzz" ] || { echo "no fuzz target '$t'" >&2; exit 2; }
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=0
for t in "${targets[@]}"; do
  dir=$out/$t rc=$(cat "$out/$t/rc")
  stats=$(grep -E '^stat::number_of_executed_units' "$dir/log" | awk '{print $2}' || true)
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -n1 || true)
  reproducers=$(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) 2>/dev/null)
  if [ "$rc" -ne 0 ] || [ -n "$reproducers" ]; then
    failed=1
    echo "FAIL $t (exit $rc)"
    tail -n 60 "$dir/log" | sed 's/^/    /'
    for r in $reproducers; do
      echo "  reproducer: $r"
      echo "  replay:     $build/tests/fuzz/${t}_fuzz $r"
    done
    echo "  full log:   $dir/log"
  else
    echo "ok   $t: ${stats:-?} runs, ${cov:-cov ?}, no crash"
  fi
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
    "$build/tests/fuzz/${t}_fuzz" -merge=1 -max_len="$(max_len_of "$t")" "$root/tests/fuzz/corpus/$t" \
      "$dir/corpus" >>"$dir/merge.log" 2>&1
  fi
done
echo "== fuzzing took $((SECONDS - fuzz_t0)) s, total $((SECONDS - t0)) s"
exit "$failed"
