#!/bin/sh
# Instructions per operation of the bench's rows, under callgrind: a
# figure that does not move with the machine's noise, for changes too
# small for scripts/bench-ab.sh to see.
#
#   scripts/bench-instr.sh [-b BINARY] [-n N] IMPL[,IMPL...] OP[,OP...]
#
# IMPL: floor, puffsnode, glib, rculfhash, seed.  OP: hit, miss, churn
# (inserts are left out: the populates run untimed too, so the
# operations counted would not be the ones timed).  N: the node count,
# 1000 unless given.  BINARY: build-bench/bench/puffsnode-bench unless
# given (scripts/bench.sh builds it).  For each row it runs one round of
# 0.1 s with collection only inside the implementation's lookup or churn
# loop and prints the instructions collected divided by the operations
# the bench reports (its rate times 0.1 s).  For example, before and
# after a change to the create path:
#
#   scripts/bench-instr.sh puffsnode,glib churn
set -eu

bin=build-bench/bench/puffsnode-bench
n=1000
while getopts b:n: o; do
	case $o in
	b) bin=$OPTARG ;;
	n) n=$OPTARG ;;
	*) echo "usage: $0 [-b BINARY] [-n N] IMPLS OPS" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	echo "usage: $0 [-b BINARY] [-n N] IMPLS OPS" >&2
	exit 2
fi
case $n in
'' | *[!0-9]*) echo "$0: N must be a count" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "$0: needs valgrind" >&2; exit 1; }
[ -x "$bin" ] || { echo "$0: no $bin (scripts/bench.sh builds it)" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

printf '%-10s %-6s %9s %14s %9s\n' impl op N instructions per_op
for impl in $(echo "$1" | tr , ' '); do
	case $impl in
	floor) f=f ;;
	puffsnode) f=p ;;
	glib) f=g ;;
	rculfhash) f=u ;;
	seed) f=s ;;
	*) echo "$0: unknown implementation $impl" >&2; exit 2 ;;
	esac
	for op in $(echo "$2" | tr , ' '); do
		case $op in
		hit | miss) fn=${f}_lookups ;;
		churn) fn=${f}_churn ;;
		*) echo "$0: unknown operation $op" >&2; exit 2 ;;
		esac
		valgrind --tool=callgrind --callgrind-out-file="$dir/cg" \
		    --toggle-collect="$fn" "$bin" --impl "$impl" --sizes "$n" \
		    --threads 1 --ops "$op" --time 0.1 --rounds 1 --csv \
		    >"$dir/out" 2>&1 || { cat "$dir/out" >&2; exit 1; }
		awk -F, -v impl="$impl" -v op="$op" -v n="$n" '
		    /Collected :/ { sub(/.*Collected : /, ""); ins = $0 + 0 }
		    $1 == impl && $2 == op && $3 == n && $4 == 1 { rate = $5 }
		    END {
			if (rate == "" || ins == 0) {
				print "no figure for " impl " " op > "/dev/stderr"
				exit 1
			}
			printf "%-10s %-6s %9d %14d %9.1f\n", impl, op, n, ins,
			    ins / (rate * 0.1)
		    }' "$dir/out"
	done
done
