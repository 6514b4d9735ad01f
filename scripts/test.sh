#!/bin/sh
# The whole test suite: plain gcc build, AddressSanitizer+UBSan build,
# ThreadSanitizer build of the concurrent suites, the portable-atomics
# build (plain and ThreadSanitizer), and a warning-free clang build.
# Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh

jobs=${PN_TEST_JOBS:-2}
fail=0
step() { echo; echo "=== $*"; }
run() { "$@" || { echo "FAILED: $*"; fail=1; }; }

# Suites that need something this machine may lack are skipped by the
# tests themselves (exit code 77), never silently passed.
step "gcc: all suites"
run meson test -C build --print-errorlogs --num-processes "$jobs" --no-suite soak

step "gcc + AddressSanitizer + UBSan: all suites"
if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all >/dev/null
fi
run ninja -C build-asan >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run meson test -C build-asan --print-errorlogs --num-processes "$jobs" --no-suite soak --no-suite symbols --no-suite install

step "gcc + ThreadSanitizer: concurrent suites"
if [ ! -f build-tsan/build.ninja ]; then
	meson setup build-tsan -Db_sanitize=thread -Db_lundef=false -Ddocs=false >/dev/null
fi
run ninja -C build-tsan >/dev/null
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    run meson test -C build-tsan --print-errorlogs --num-processes 1 --suite tsan

# The portable atomics design (lib/pn_atomic.h) that 32-bit
# microcontrollers get, forced on this machine, with the small-memory
# read slots: every suite, and the concurrent ones under ThreadSanitizer.
step "gcc, portable atomics: all suites"
if [ ! -f build-portable/build.ninja ]; then
	meson setup build-portable -Datomics=portable -Dread_slots=2 -Dcache_line=8 \
	    -Ddocs=false >/dev/null
fi
run ninja -C build-portable >/dev/null
run meson test -C build-portable --print-errorlogs --num-processes "$jobs" --no-suite soak

step "gcc + ThreadSanitizer, portable atomics: concurrent suites"
if [ ! -f build-tsan-portable/build.ninja ]; then
	meson setup build-tsan-portable -Datomics=portable -Dread_slots=2 -Dcache_line=8 \
	    -Db_sanitize=thread -Db_lundef=false -Ddocs=false >/dev/null
fi
run ninja -C build-tsan-portable >/dev/null
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    run meson test -C build-tsan-portable --print-errorlogs --num-processes 1 --suite tsan

step "clang: warning-free build"
if [ ! -f build-clang/build.ninja ]; then
	CC=clang CXX=clang++ meson setup build-clang >/dev/null
fi
run ninja -C build-clang >/dev/null

echo
if [ "$fail" -ne 0 ]; then
	echo "test.sh: FAILED"
	exit 1
fi
echo "test.sh: all passed"
