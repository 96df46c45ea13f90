#!/usr/bin/env bash
# Sanitizer CI: builds the project and its tests with sanitizers and runs them (docs/testing.md).
#   address: build-asan, ASan+UBSan (SPEC_NOTIFY_SANITIZE=address), every CTest test (unit + integration).
#   thread:  build-tsan, TSan (SPEC_NOTIFY_SANITIZE=thread), the unit tests (label "unit").
# Usage: .ci/sanitize.sh [address|thread|all]   (default: all). Any sanitizer report fails the run.
# Compiler: whatever CC/CXX say (default c++/gcc; CXX=clang++ works too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-all}
jobs=${JOBS:-$(nproc)}
export BOOST_TEST_COLOR_OUTPUT=no

# halt_on_error + abort: the first report kills the process, so a test can never pass with a report in its log.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=$root/.ci/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

configure_and_build() {  # DIR SANITIZER
  echo "== configure $1 (SPEC_NOTIFY_SANITIZE=$2)"
  cmake -S "$root" -B "$root/$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPEC_NOTIFY_SANITIZE="$2" >/dev/null
  echo "== build $1"
  cmake --build "$root/$1" -j"$jobs"
}

run_address() {
  local t0=$SECONDS
  configure_and_build build-asan address
  echo "== ctest build-asan (unit + integration)"
  ctest --test-dir "$root/build-asan" --output-on-failure -j2
  echo "== address: ok in $((SECONDS - t0)) s"
}

# Unit tests that run a real caf::actor_system: with Debian's uninstrumented libcaf_core.so every message hand-off
# is a TSan false positive (see .ci/tsan.supp), so they run under ASan only.
tsan_skip=${TSAN_SKIP:-metrics_server_test|supervisor_test}

run_thread() {
  local t0=$SECONDS
  configure_and_build build-tsan thread
  echo "== ctest build-tsan (unit, skipping: $tsan_skip)"
  ctest --test-dir "$root/build-tsan" --output-on-failure -j2 -L unit -E "^($tsan_skip)\$"
  echo "== thread: ok in $((SECONDS - t0)) s"
}

case "$mode" in
  address) run_address ;;
  thread) run_thread ;;
  all) run_address; run_thread ;;
  *) echo "usage: $0 [address|thread|all]" >&2; exit 2 ;;
esac
