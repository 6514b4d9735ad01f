#!/bin/sh
# Fuzz the library with libFuzzer, AddressSanitizer and UBSan.
#
#   scripts/fuzz.sh [target|all] [seconds]
#
# Builds build-fuzz/ with clang (fuzzing_engine=libfuzzer), then runs each
# target (default: all, 60 s each; 0 s: only minimize the corpus) on a scratch copy of its corpus, merges
# what found new coverage into fuzz/corpus/<target> (-merge=1) and keeps
# crashing inputs in fuzz/crashes/<target>/.  Exits non-zero if a target
# crashed.  Extra libFuzzer flags may come in PN_FUZZ_FLAGS.
#
# Corpus files named regress-* are regression inputs (crashes and model
# mismatches once fixed): kept as they are.  The rest of the corpus is
# replaced by a minimized merge of itself and the new inputs: -merge=1,
# then a greedy set cover of the edges, which leaves a few dozen inputs.
set -eu
cd "$(dirname "$0")/.."

targets="fuzz_ops fuzz_cn fuzz_cred fuzz_park"
which=${1:-all}
secs=${2:-60}
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
) 9>"${TMPDIR:-/tmp}/pn-fuzz-build.lock"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# setcover binary workdir: of the inputs in workdir/merged, print the paths
# of a small set that together reach every edge any of them reaches
# (greedy: most new edges first, then the smaller input).
setcover() {
	for f in "$2"/merged/*; do
		[ -e "$f" ] || continue
		rm -rf "$2/one" "$2/out" "$2/ctl"
		mkdir "$2/one" "$2/out"
		cp "$f" "$2/one/"
		"$1" -merge=1 -use_counters=0 -merge_control_file="$2/ctl" \
		    "$2/out" "$2/one" >/dev/null 2>&1 || continue
		printf '%s %s %s\n' "$f" "$(wc -c <"$f")" \
		    "$(sed -n 's/^FT 0 //p' "$2/ctl")"
	done >"$2/features"
	awk '
	{ p[NR] = $1; sz[NR] = $2; n[NR] = NF - 2
	  for (i = 3; i <= NF; i++) ft[NR, i - 2] = $i }
	END {
		for (;;) {
			best = 0; bestk = 0
			for (f = 1; f <= NR; f++) {
				if (done[f]) continue
				k = 0
				for (i = 1; i <= n[f]; i++)
					if (!(ft[f, i] in got)) k++
				if (k > bestk || (k == bestk && k > 0 &&
				    sz[f] < sz[best])) { best = f; bestk = k }
			}
			if (bestk == 0) break
			done[best] = 1
			for (i = 1; i <= n[best]; i++) got[ft[best, i]] = 1
			print p[best]
		}
	}' "$2/features"
}

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
	if [ "$secs" -eq 0 ]; then
		: >"$work/log"		# minimize the corpus only
	else
	# shellcheck disable=SC2086
	"$build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$crashes/" \
	    $dict ${PN_FUZZ_FLAGS:-} "$work/new" "$corpus" \
	    >"$work/log" 2>&1 || rc=$?
	fi
	grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$work/log" | tail -n 1 || true
	grep -E '^stat::' "$work/log" || true
	cp "$work/log" "$crashes/last.log"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz.sh: $t FAILED (exit $rc); log in $crashes/last.log"
		tail -n 40 "$work/log"
		fail=1
	fi
	# Minimize: -merge=1 first, then a greedy set cover over each
	# remaining input's own edges, so a few dozen inputs stay.
	if "$build/fuzz/$t" -merge=1 "$work/merged" "$corpus" "$work/new" \
	    >"$work/merge.log" 2>&1; then
		setcover "$build/fuzz/$t" "$work" >"$work/keep"
		find "$corpus" -maxdepth 1 -type f ! -name 'regress-*' -delete
		xargs -r -I{} cp {} "$corpus/" <"$work/keep"
		echo "$t: corpus $(find "$corpus" -type f | wc -l) files"
	else
		echo "fuzz.sh: $t merge failed"
		tail -n 20 "$work/merge.log"
		fail=1
	fi
	rm -rf "$work"
done
exit "$fail"
