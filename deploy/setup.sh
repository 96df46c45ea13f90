#!/usr/bin/env bash
# Installs everything spec-notify needs on Debian 12 (idempotent), then configures and builds.
# Usage: deploy/setup.sh [--tests] [--fuzz] [--bench]
#   no option: the packages to build and run spec-notify plus what the README and docs' commands use (python3
#              for deploy/topology.sh, curl, openssl), then builds only the spec-notify binary (build/spec-notify).
#   --tests    also the test tools and npm verifiers, and builds every target (tests too).
#   --fuzz     also clang + compiler-rt for .ci/fuzz.sh; --bench also wrk, gnuplot-nox and valgrind.
# Each step prints its name and how long it took. Packages need root: without root and without sudo it stops
# before building and prints the exact command to run as root.
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

t0=$(date +%s)
step_started=$t0
step() {  # step "what": ends the previous step (with its duration) and announces the next
  local now; now=$(date +%s)
  [ -n "${step_name:-}" ] && echo "setup.sh: ${step_name}: done in $((now - step_started)) s"
  step_name=$1 step_started=$now
  [ -n "$step_name" ] && echo "setup.sh: ${step_name} ..."
  return 0
}

# What building and running needs; the test, fuzz and bench tool sets are added only when asked for.
pkgs=(build-essential cmake pkg-config libcaf-dev libpoco-dev libtomlplusplus-dev libleveldb-dev libsnappy-dev
      libboost-test-dev libssl-dev libedit-dev libkainjow-mustache-dev ca-certificates)
# What the README and docs/*.md sessions call besides spec-notify: deploy/topology.sh (python3), curl (metrics),
# openssl (docs/snippets/verify_webhook.sh).
pkgs+=(python3 curl openssl)
# Integration tests: npm verifiers (node), JSON Schema checks, certificates, compose/systemd file checks,
# docs/snippets/verify_webhook.go, and promtool (prometheus: deploy/prometheus rules and the /metrics lint).
[ "$want_tests" = 1 ] && pkgs+=(nodejs npm python3-jsonschema python3-yaml docker-compose systemd golang-go
                                iproute2 util-linux prometheus tinyproxy)  # tinyproxy: the proxy fault test
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
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      sudo_cmd=(sudo)
    else
      echo "setup.sh: ${#missing[@]} Debian package(s) missing, and installing them needs root (no sudo here)." >&2
      echo "Run this as root (e.g. after \`su -\`), then run deploy/setup.sh${*:+ $*} again:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
  step "installing ${#missing[@]} Debian package(s) (${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup.sh: every Debian package needed is installed"
fi
# The proxy test starts its own tinyproxy on a free loopback port; the package's system service (port 8888)
# is not wanted on a build machine.
if [ "$want_tests" = 1 ] && [[ " ${missing[*]} " == *" tinyproxy "* ]]; then
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    "${sudo_cmd[@]}" systemctl disable --now tinyproxy >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/tinyproxy ]; then
    "${sudo_cmd[@]}" /etc/init.d/tinyproxy stop >/dev/null 2>&1 || true
  fi
fi

# Every package in package.json must be there (a node_modules from an older checkout may lack a newer one).
npm_missing() {
  local dep
  for dep in standardwebhooks @octokit/webhooks-methods ajv ajv-formats; do
    [ -d "$here/tests/integration/node_modules/$dep" ] || return 0
  done
  return 1
}
if [ "$want_tests" = 1 ] && npm_missing; then
  step "installing the npm verifiers (tests/integration)"
  (cd "$here/tests/integration" && npm install --no-audit --no-fund --silent)
fi

step "configuring build/ (cmake)"
# RelWithDebInfo with line tables only (-g1 instead of -g): the same -O2 code, file:line in every backtrace,
# about a third less compile time. SPEC_NOTIFY_RELWITHDEBINFO_FLAGS replaces the flags (e.g. "-O2 -g -DNDEBUG").
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=${SPEC_NOTIFY_RELWITHDEBINFO_FLAGS:--O2 -g1 -DNDEBUG}" >/dev/null
jobs=$(nproc)
if [ "$want_tests" = 1 ]; then
  step "building every target (spec-notify, tests) with $jobs job(s); [ NN%] lines show progress"
  cmake --build "$here/build" -j"$jobs"
else
  step "building spec-notify with $jobs job(s); [ NN%] lines show progress"
  cmake --build "$here/build" -j"$jobs" --target spec-notify
fi
step ""
echo "setup.sh: done in $(($(date +%s) - t0)) s: $here/build/spec-notify"
