#!/usr/bin/env bash
# Installs everything spec-notify needs on Debian 12 (idempotent), then configures and builds.
# Usage: deploy/setup.sh [--tests] [--fuzz] [--bench]   (--tests also installs the npm verifiers and test tools;
#        --fuzz also installs clang + compiler-rt for .ci/fuzz.sh; --bench also installs wrk, gnuplot-nox and
#        valgrind for bench/run.sh and profiling)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
want_tests=0 want_fuzz=0 want_bench=0
for arg in "$@"; do
  case "$arg" in
    --tests) want_tests=1 ;;
    --fuzz) want_fuzz=1 ;;
    --bench) want_bench=1 ;;
  esac
done

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# What building and running needs; the test, fuzz and bench tool sets are added only when asked for.
pkgs=(build-essential cmake pkg-config libcaf-dev libpoco-dev libtomlplusplus-dev libleveldb-dev libsnappy-dev
      libboost-test-dev libssl-dev libedit-dev)
# Integration tests: npm verifiers (node), JSON Schema checks, certificates, compose/systemd file checks, and
# docs/snippets/verify_webhook.go.
[ "$want_tests" = 1 ] && pkgs+=(nodejs npm python3 python3-jsonschema python3-yaml openssl curl docker-compose
                                systemd golang-go)
[ "$want_fuzz" = 1 ] && pkgs+=(clang libclang-rt-14-dev)  # libFuzzer + sanitizer runtimes (docs/testing.md)
[ "$want_bench" = 1 ] && pkgs+=(wrk gnuplot-nox valgrind)  # bench/run.sh (docs/benchmarks.md)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere on the machine: accept any working node+npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$want_tests" = 1 ] && [ ! -d "$here/tests/integration/node_modules/standardwebhooks" ]; then
  (cd "$here/tests/integration" && npm install --no-audit --no-fund --silent)
fi

cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)"
