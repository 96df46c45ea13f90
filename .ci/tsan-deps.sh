#!/usr/bin/env bash
# Builds CAF and LevelDB with ThreadSanitizer for the TSan variant (.ci/sanitize.sh thread; docs/testing.md).
#
# Why: TSan only understands synchronisation it can see. Debian's libcaf_core.so and libleveldb.so are not
# instrumented, and both synchronise threads with atomics inside the library: CAF hands every message and actor
# between threads that way (unseen, each hand-off is reported as a race: thousands per test), LevelDB's memtable
# is a lock-free skip list read by Get while a Write inserts. So we compile the very releases Debian ships, from
# Debian's own source packages (upstream tarballs checked against the checksums in the packages' .dsc, with the
# Debian patches that matter for linking), with -fsanitize=thread, and link the TSan build against them.
# Poco, OpenSSL and snappy stay Debian's: they synchronise through pthreads, which TSan intercepts.
#
# Usage: .ci/tsan-deps.sh DIR   Builds into DIR (reused when already built) and prints the install prefix.
# DIR may be shared by several runs (.ci/sanitize.sh keys it by this script and the compilers when
# SPEC_NOTIFY_CI_CACHE is set): one builds while the others wait on DIR/.lock (flock), then reuse the result.
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
exec 9>"$dir/.lock"
flock 9
prefix=$dir/install
jobs=${JOBS:-$(nproc)}
# -O1 -g1: fast to build, stacks with file:line. NDEBUG as in Debian's builds.
flags="-O1 -g1 -DNDEBUG -fsanitize=thread"

# The Debian mirror apt already uses (deb822 or one-line sources); never a host name written here.
mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
  head -n 1 | tr -d ' ' || true)
mirror=${mirror%/}
if [ -z "$mirror" ]; then
  echo "tsan-deps: no Debian mirror found in /etc/apt/sources.list(.d); add one (this script reads it from there)" >&2
  exit 2
fi

# fetch PACKAGE SOURCE VERSION SHA256: the upstream tarball of a Debian source package; prints the unpacked dir.
fetch() {
  local package=$1 source=$2 version=$3 sha256=$4 installed
  installed=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || true)
  case "$installed" in
    "$version"-*) ;;
    *) echo "tsan-deps: $package is '${installed:-not installed}' but this script builds $source $version;" \
         "update its version and sha256 in $0" >&2; exit 2 ;;
  esac
  local tarball=$dir/${source}_$version.orig.tar.gz
  if ! echo "$sha256  $tarball" | sha256sum -c --quiet >/dev/null 2>&1; then
    echo "== tsan-deps: fetching ${source}_$version.orig.tar.gz from $mirror" >&2
    curl -sSf --retry 3 --max-time 300 -o "$tarball.part" \
      "$mirror/pool/main/${source:0:1}/$source/${source}_$version.orig.tar.gz"
    echo "$sha256  $tarball.part" | sha256sum -c --quiet >&2 || { echo "tsan-deps: checksum mismatch" >&2; exit 1; }
    mv "$tarball.part" "$tarball"
  fi
  local src=$dir/src/$source
  rm -rf "$src" && mkdir -p "$src"
  tar -xzf "$tarball" -C "$src" --strip-components=1
  echo "$src"
}

# build NAME SRC [CMAKE ARGS...]: configure, build and install into $prefix; logs in $dir/NAME-*.log.
build() {
  local name=$1 src=$2
  shift 2
  echo "== tsan-deps: building $name with -fsanitize=thread" >&2
  cmake -S "$src" -B "$dir/build-$name" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    "$@" >"$dir/$name-configure.log" 2>&1 || { cat "$dir/$name-configure.log" >&2; exit 1; }
  cmake --build "$dir/build-$name" -j"$jobs" >"$dir/$name-build.log" 2>&1 ||
    { tail -n 40 "$dir/$name-build.log" >&2; exit 1; }
  cmake --install "$dir/build-$name" >/dev/null
}

stamp=$prefix/.built-caf-0.17.6-openssl-leveldb-1.23
if [ -f "$stamp" ]; then echo "$prefix"; exit 0; fi
rm -rf "$prefix"

# CAF 0.17.6 (actor-framework_0.17.6-2.1.dsc): core, I/O and OpenSSL as Debian's libcaf-core/-io/-openssl.
src=$(fetch libcaf-dev actor-framework 0.17.6 e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c)
# Debian's fix for GCC 12: receive_buffer.hpp uses std::numeric_limits without including <limits>.
sed -i 's|^#include <cstring>$|#include <cstring>\n#include <limits>|' "$src/libcaf_io/caf/io/network/receive_buffer.hpp"
# CAF_NO_MEM_MANAGEMENT: plain new/delete instead of CAF's per-thread free lists, so TSan tracks each message.
build caf "$src" -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes \
  -DCAF_NO_PYTHON=yes -DCAF_NO_OPENCL=yes -DCAF_NO_SUMMARY=yes -DCAF_NO_MEM_MANAGEMENT=yes

# LevelDB 1.23 (leveldb_1.23-4.dsc), shared, with snappy as Debian's.
src=$(fetch libleveldb-dev leveldb 1.23 9a37f8a6174f09bd622bc723b55881dc541cd50747cbd08831c2a82d620f6d76)
# Debian's re-enable-rtti.patch: the store subclasses leveldb::EnvWrapper, which needs LevelDB's typeinfo.
# shellcheck disable=SC2016  # literal ${CMAKE_CXX_FLAGS} in CMake code
sed -i 's|^\(  string(REGEX REPLACE "-frtti" "" CMAKE_CXX_FLAGS\)|#\1|; s|^\(  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} -fno-rtti")\)|#\1|' \
  "$src/CMakeLists.txt"
build leveldb "$src" -DBUILD_SHARED_LIBS=ON -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF

touch "$stamp"
echo "$prefix"
