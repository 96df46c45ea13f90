#!/usr/bin/env bash
# Sanitizer CI: builds the project and its tests with sanitizers and runs every CTest test under them
# (unit, integration, fault suite, fuzz-corpus replays; docs/testing.md).
#   address: build-asan, ASan+UBSan (SPEC_NOTIFY_SANITIZE=address).
#   thread:  build-tsan, TSan (SPEC_NOTIFY_SANITIZE=thread), linked against CAF and LevelDB built with TSan by
#            .ci/tsan-deps.sh (Debian's are not instrumented, and TSan cannot see their synchronisation).
# Usage: .ci/sanitize.sh [address|thread|all|tsan-deps]   (default: all). Any sanitizer report fails the run.
#   tsan-deps only builds CAF and LevelDB with TSan (.ci/run starts it early, in the background).
# Every process (test binaries, daemons and receivers started by the shell tests) writes its reports to
# <build>/sanitizer-reports/, so a report fails the run even from a process whose exit code no test looks at.
# Compiler: whatever CC/CXX say (default c++/gcc; CXX=clang++ works too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-all}
jobs=${JOBS:-$(nproc)}
export BOOST_TEST_COLOR_OUTPUT=no

# Options shared by both modes; log_path (per build) is added by run_tests.
asan_options="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
ubsan_options="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# halt_on_error=0: a racing process reports every race and exits 66 at the end, so a test sees the failure and
# the log holds all of them, not just the first.
tsan_options="halt_on_error=0:second_deadlock_stack=1:suppressions=$root/.ci/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

configure_and_build() {  # DIR SANITIZER [CMAKE ARGS...]
  local dir=$1 sanitizer=$2
  shift 2
  echo "== configure $dir (SPEC_NOTIFY_SANITIZE=$sanitizer)"
  # -O1 -g1 (sanitizers' recommended level; line tables give file:line stacks) halves the build time of -O2 -g.
  cmake -S "$root" -B "$root/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DSPEC_NOTIFY_SANITIZE="$sanitizer" -DSPEC_NOTIFY_BENCH=OFF "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$root/$dir" -j"$jobs"
}

run_tests() {  # DIR: every CTest test, then fail on any sanitizer report any process wrote
  local reports=$root/$1/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports"
  echo "== ctest $1 (all tests)"
  local rc=0
  ASAN_OPTIONS="$asan_options:log_path=$reports/asan" UBSAN_OPTIONS="$ubsan_options:log_path=$reports/ubsan" \
    LSAN_OPTIONS="suppressions=$root/.ci/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    TSAN_OPTIONS="$tsan_options:log_path=$reports/tsan" ctest --test-dir "$root/$1" --output-on-failure -j2 || rc=$?
  if [ -n "$(ls -A "$reports")" ]; then
    echo "== sanitizer reports in $reports:"
    for f in "$reports"/*; do echo "--- $f"; head -n 200 "$f"; done
    return 1
  fi
  return "$rc"
}

run_address() {
  local t0=$SECONDS
  configure_and_build build-asan address
  run_tests build-asan
  echo "== address: ok in $((SECONDS - t0)) s"
}

# Where CAF and LevelDB with TSan are built: build-tsan/deps, or with SPEC_NOTIFY_CI_CACHE (.ci/run) a directory
# there keyed by tsan-deps.sh and the compilers' versions, so later runs on the machine skip that build
# (about 150 s of 2 cores' time).
tsan_deps_dir() {
  if [ -n "${SPEC_NOTIFY_CI_CACHE:-}" ]; then
    local key
    key=$({ cat "$root/.ci/tsan-deps.sh"; "${CC:-cc}" --version; "${CXX:-c++}" --version; } | sha256sum | cut -c1-16)
    echo "$SPEC_NOTIFY_CI_CACHE/tsan-deps-$key"
  else
    echo "$root/build-tsan/deps"
  fi
}

run_thread() {
  local t0=$SECONDS deps
  deps=$(bash "$root/.ci/tsan-deps.sh" "$(tsan_deps_dir)")
  echo "== CAF and LevelDB with TSan: $deps (ready after $((SECONDS - t0)) s)"
  configure_and_build build-tsan thread -DSPEC_NOTIFY_DEPS_PREFIX="$deps"
  run_tests build-tsan
  echo "== thread: ok in $((SECONDS - t0)) s"
}

case "$mode" in
  address) run_address ;;
  thread) run_thread ;;
  tsan-deps) bash "$root/.ci/tsan-deps.sh" "$(tsan_deps_dir)" ;;  # only CAF + LevelDB with TSan (.ci/run)
  all) run_address; run_thread ;;
  *) echo "usage: $0 [address|thread|all|tsan-deps]" >&2; exit 2 ;;
esac
