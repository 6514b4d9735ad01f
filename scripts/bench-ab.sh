#!/bin/sh
# Compare two builds of puffsnode-bench on this machine, in alternation.
#
#   scripts/bench-ab.sh A B K [puffsnode-bench arguments...]
#
# Runs binary A, then binary B, K times over, each with the arguments
# given and --csv, and prints for every row (implementation, op, N,
# threads) the median rate of each, B/A, and the median ratio of each to
# the floor of its own run.  Alternating spreads the machine's drift over
# both; the ratios to the floor move with the code, not with the drift.
# An A/A run (the same binary twice) shows how far medians stray on
# their own.  For instance, to try a change:
#
#   cp build-bench/bench/puffsnode-bench /tmp/A    # before
#   (edit, ninja -C build-bench bench/puffsnode-bench)
#   scripts/bench-ab.sh /tmp/A build-bench/bench/puffsnode-bench 4 \
#       --impl floor,puffsnode --sizes 1000000 --threads 1,2 \
#       --ops hit,churn --time 0.4 --rounds 1
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 A B K [puffsnode-bench arguments...]" >&2
	exit 2
fi
a=$1
b=$2
k=$3
shift 3
case $k in
'' | *[!0-9]*) echo "$0: K must be a count" >&2; exit 2 ;;
esac

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

i=1
while [ "$i" -le "$k" ]; do
	"$a" "$@" --csv 2>/dev/null | grep -v '^impl' >"$dir/A.$i"
	"$b" "$@" --csv 2>/dev/null | grep -v '^impl' >"$dir/B.$i"
	i=$((i + 1))
done

python3 - "$dir" <<'EOF'
import collections, glob, statistics, sys

def load(tag):
    rate = collections.defaultdict(list)
    ratio = collections.defaultdict(list)
    for f in glob.glob("%s/%s.*" % (sys.argv[1], tag)):
        rows = [l.strip().split(",") for l in open(f) if l.strip()]
        floor = {tuple(r[1:4]): float(r[4]) for r in rows if r[0] == "floor"}
        for r in rows:
            if r[0] == "floor":
                continue
            key, v = tuple(r[0:4]), float(r[4])
            rate[key].append(v)
            if tuple(r[1:4]) in floor:
                ratio[key].append(v / floor[tuple(r[1:4])])
    return rate, ratio

def med(xs):
    return statistics.median(xs) if xs else 0.0

a, af = load("A")
b, bf = load("B")
print("%-30s %10s %10s %6s %6s %6s" % ("row", "A", "B", "B/A", "A/fl", "B/fl"))
for key in sorted(set(a) | set(b)):
    ma, mb = med(a[key]), med(b[key])
    print("%-30s %10.3g %10.3g %6.2f %6.2f %6.2f" % (",".join(key), ma, mb,
          mb / ma if ma else 0.0, med(af[key]), med(bf[key])))
EOF
