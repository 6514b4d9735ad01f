#!/bin/sh
# Fuzz the library with libFuzzer, AddressSanitizer and UBSan.
#
#   scripts/fuzz.sh [target|all] [seconds]
#
# Builds build-fuzz/ with clang (fuzzing_engine=libfuzzer), then runs each
# target (default: all, 60 s each) on a scratch copy of its corpus, merges
# what found new coverage into fuzz/corpus/<target> (-merge=1) and keeps
# crashing inputs in fuzz/crashes/<target>/.  Exits non-zero if a target
# crashed.  PN_FUZZ_JOBS (default 1) runs that many fuzzing processes per
# target; extra libFuzzer flags may come in PN_FUZZ_FLAGS.
set -eu
cd "$(dirname "$0")/.."

targets="fuzz_ops fuzz_cn fuzz_cred fuzz_park"
which=${1:-all}
secs=${2:-60}
jobs=${PN_FUZZ_JOBS:-1}
build=build-fuzz

if [ "$which" != all ]; then
	case " $targets " in
	*" $which "*) targets=$which ;;
	*) echo "fuzz.sh: unknown target $which (have: $targets)" >&2; exit 2 ;;
	esac
fi

# One configure at a time, even when several fuzz.sh run at once.
(
	flock 9
	if [ ! -f "$build/build.ninja" ]; then
		CC=clang meson setup "$build" -Dfuzzing_engine=libfuzzer \
		    -Db_sanitize=address,undefined -Db_lundef=false \
		    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' \
		    -Dtests=false -Dsim=false -Ddocs=false >/dev/null
	fi
	ninja -C "$build" >/dev/null
) 9>".fuzz-build.lock"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail=0
for t in $targets; do
	corpus=fuzz/corpus/$t
	crashes=fuzz/crashes/$t
	mkdir -p "$corpus" "$crashes"
	work=$(mktemp -d "${TMPDIR:-/tmp}/pn-fuzz-$t.XXXXXX")
	mkdir "$work/new" "$work/merged"
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	echo "=== $t: ${secs}s"
	rc=0
	# shellcheck disable=SC2086
	"$build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$crashes/" -jobs="$jobs" -workers="$jobs" \
	    $dict ${PN_FUZZ_FLAGS:-} "$work/new" "$corpus" \
	    >"$work/log" 2>&1 || rc=$?
	grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$work/log" | tail -n 1 || true
	grep -E '^stat::' "$work/log" || true
	cp "$work/log" "$crashes/last.log"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz.sh: $t FAILED (exit $rc); log in $crashes/last.log"
		tail -n 40 "$work/log"
		fail=1
	fi
	# Keep only inputs that add coverage to the committed corpus.
	"$build/fuzz/$t" -merge=1 "$work/merged" "$corpus" "$work/new" \
	    >"$work/merge.log" 2>&1 || {
		echo "fuzz.sh: $t merge failed"; tail -n 20 "$work/merge.log"; fail=1; }
	for f in "$work/merged"/*; do
		[ -e "$f" ] || continue
		[ -e "$corpus/$(basename "$f")" ] || cp "$f" "$corpus/"
	done
	rm -rf "$work"
done
exit "$fail"
