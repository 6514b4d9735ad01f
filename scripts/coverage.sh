#!/bin/sh
# Coverage gate: build with gcc and -Db_coverage=true in build-cov/, run
# every test suite but soak and fuse, and measure lib/ with gcovr: the
# core (lib/*.c), the POSIX kit (lib/posix/*.c) and the simulator
# (lib/sim/*.c) must each reach 100% line and 95% branch coverage.  Lines and branches that cannot be
# reached are marked in the library with GCOVR_EXCL_LINE or
# GCOVR_EXCL_START/STOP, each with its reason.  Exits non-zero on a test
# failure or a figure under the bar.  Reports: build-cov/coverage/.
set -eu
cd "$(dirname "$0")/.."

dir=${PN_COV_DIR:-build-cov}
line_min=${PN_COV_LINE:-100}
branch_min=${PN_COV_BRANCH:-95}
fail=0

if [ ! -f "$dir/build.ninja" ]; then
	# Threads update the counters: atomically, or gcov reads garbage.
	# -fno-inline: one copy of each function, so the branches of an
	# inlined copy are not counted apart from the function's own.
	CC=gcc meson setup "$dir" -Db_coverage=true -Ddocs=false \
	    -Dc_args="-fprofile-update=atomic -fno-inline" >/dev/null
fi
ninja -C "$dir" >/dev/null
find "$dir" -name '*.gcda' -delete

echo "=== coverage: tests"
meson test -C "$dir" --no-rebuild --print-errorlogs \
    --num-processes "${PN_TEST_JOBS:-2}" --no-suite soak --no-suite fuse ||
	{ echo "coverage: FAILED: some tests failed"; fail=1; }

mkdir -p "$dir/coverage"
gate() {
	name=$1; shift
	echo "=== coverage: $name"
	# Search $dir alone: by default gcovr reads every .gcda under the
	# root, stale ones of other build directories too.
	if ! gcovr --root . --object-directory "$dir" "$@" \
	    --txt "$dir/coverage/$name.txt" \
	    --html-details "$dir/coverage/$name.html" \
	    --print-summary \
	    --fail-under-line "$line_min" --fail-under-branch "$branch_min" \
	    "$dir"; then
		echo "coverage: FAILED: $name under ${line_min}% lines or ${branch_min}% branches"
		fail=1
	fi
	grep -v '^-*$' "$dir/coverage/$name.txt" | awk 'NR > 2 && $4 != "100%" || NR <= 2'
}
gate core --filter 'lib/[^/]*\.c$'
if [ -d lib/posix ] && ls lib/posix/*.c >/dev/null 2>&1; then
	gate posix --filter 'lib/posix/.*\.c$'
fi
if [ -d lib/sim ] && ls lib/sim/*.c >/dev/null 2>&1; then
	gate sim --filter 'lib/sim/.*\.c$'
fi

if [ "$fail" -ne 0 ]; then
	echo "coverage.sh: FAILED"
	exit 1
fi
echo "coverage.sh: passed"
