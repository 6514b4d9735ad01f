#!/bin/sh
# Build and run puffsnode-bench.
#
#   scripts/bench.sh          quick run: N = 10^3 and 10^6 (under a minute)
#   scripts/bench.sh full     N = 10^3, 10^5, 10^6, 10^7 (about 5 minutes)
#   scripts/bench.sh race     puffsnode lookups beside reclaim churn, under
#                             ThreadSanitizer (build-bench-tsan)
#
# Builds in build-bench (release, bench enabled, no tests), prints the
# table and writes bench/results/latest.{txt,csv,png}.  The machine's load
# is noted beside the table: the figures are only as quiet as the machine.
set -eu
cd "$(dirname "$0")/.."

mode=${1:-quick}
case $mode in
quick) args=--quick ;;
full) args= ;;
race)
	if [ ! -f build-bench-tsan/build.ninja ]; then
		meson setup build-bench-tsan --buildtype=debugoptimized \
		    -Db_sanitize=thread -Db_lundef=false -Dbench=enabled \
		    -Dtests=false -Ddocs=false -Dsim=false >/dev/null
	fi
	ninja -C build-bench-tsan bench/puffsnode-bench >/dev/null
	# ThreadSanitizer wants a fixed address space layout.
	setarch "$(uname -m)" -R ./build-bench-tsan/bench/puffsnode-bench \
	    --sizes 64 --race 5
	setarch "$(uname -m)" -R ./build-bench-tsan/bench/puffsnode-bench \
	    --sizes 2000 --race 5
	setarch "$(uname -m)" -R ./build-bench-tsan/bench/puffsnode-bench \
	    --sizes 2000 --parts --race 5
	exit 0
	;;
*) echo "usage: $0 [quick|full|race]" >&2; exit 2 ;;
esac

if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench --buildtype=release -Dbench=enabled \
	    -Dtests=false -Ddocs=false -Dsim=false >/dev/null
fi
ninja -C build-bench bench/puffsnode-bench >/dev/null

mkdir -p bench/results
out=bench/results/latest
{
	echo "# puffsnode-bench $args ($(date -u +%Y-%m-%dT%H:%MZ))"
	echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs," \
	    "$(free -g | awk '/^Mem:/ { print $2 }') GiB"
	echo "# load before: $(uptime | sed 's/.*load average: //')"
} >"$out.txt"
# shellcheck disable=SC2086
./build-bench/bench/puffsnode-bench $args --csv-file "$out.csv" \
    --plot "$out.png" | tee -a "$out.txt"
echo "# load after: $(uptime | sed 's/.*load average: //')" >>"$out.txt"
tail -n 1 "$out.txt"
echo "wrote $out.txt $out.csv $out.png"
