#!/bin/sh
# fuse-bench.sh -- time puffsnode-fuse against the native file system and
# libfuse's passthrough_ll on a copy of /usr/include and /usr/share/doc.
#
#   scripts/fuse-bench.sh [-r ROUNDS] [-n NOFILE] [-o OUTDIR] [-b BEFORE]
#       [-p PASSTHROUGH_LL] [-d DIR] [-S] [-s SRCDIR]... [PUFFSNODE-FUSE]
#
# Workloads, each timed on its own, in this order on every system:
#   tar -x      extract the tree (an archive made once, read from the cache)
#   find cold   find over the tree after a fresh mount and dropped dentries
#               and inodes (echo 2 > /proc/sys/vm/drop_caches)
#   find warm   find again at once
#   ls -lR      a long listing of the tree (the entry timeouts have passed)
#   du -s x4    four du -s of the tree at once, after a fresh mount and
#               dropped caches
#   rm -rf      remove the tree
# The trees live in a tmpfs of their own (-d DIR: in a directory of DIR's
# file system instead), so that the disk and its other users do not time
# the run; native is that file system used directly.
# Systems: native, passthrough_ll
# (libfuse's example, built from /usr/share/doc/libfuse3-dev/examples in a
# temporary directory; -p to use another binary, -p none to leave it out),
# puffsnode-fuse, and with -b a second puffsnode-fuse binary (an older
# build, "before").  Both FUSE daemons run with 1 s entry and attribute
# timeouts, 4 idle threads, in the foreground, under RLIMIT_NOFILE NOFILE
# (default 20000).  Rounds are interleaved (native, passthrough_ll,
# puffsnode-fuse, [before], repeat; default 5 rounds) so that the load of a
# shared machine spreads over all systems; the table gives medians and
# ratios.  Every puffsnode-fuse unmount must end with exit status 0 and
# "clean unmount", else the run fails.
#
# -S: instead of timing, run tar -x once on each FUSE system with the
# daemon under strace -c -f and keep the system call counts
# (OUTDIR/strace-*.txt).
#
# Writes OUTDIR/raw.txt (round system workload milliseconds),
# OUTDIR/latest.md (the table), OUTDIR/latest.csv and OUTDIR/latest.png
# (gnuplot); OUTDIR defaults to docs/fuse-bench.  Needs root, /dev/fuse,
# fusermount3 and gnuplot (for the plot).  A round takes about a minute
# on the full tree; -s picks smaller source trees.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)

rounds=5
nofile=20000
out=docs/fuse-bench
before=
pll=auto
straceonly=0
srcs=
base=
while getopts r:n:o:b:p:s:d:Sh opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	n) nofile=$OPTARG ;;
	o) out=$OPTARG ;;
	b) before=$OPTARG ;;
	p) pll=$OPTARG ;;
	s) srcs="$srcs $OPTARG" ;;
	d) base=$OPTARG ;;
	S) straceonly=1 ;;
	*) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
BIN=${1:-build/tools/puffsnode-fuse/puffsnode-fuse}
[ -n "$srcs" ] || srcs="/usr/include /usr/share/doc"
case $rounds in ''|*[!0-9]*) echo "bad -r: $rounds" >&2; exit 2 ;; esac
case $nofile in ''|*[!0-9]*) echo "bad -n: $nofile" >&2; exit 2 ;; esac

die() { echo "fuse-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (drop_caches, FUSE mounts)"
[ -e /dev/fuse ] || die "no /dev/fuse"
[ -x "$BIN" ] || die "no puffsnode-fuse at $BIN (build it, or name it)"
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac
[ -z "$before" ] || [ -x "$before" ] || die "no executable $before"
case $before in ''|/*) ;; *) before=$TOP/$before ;; esac
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

T=$(mktemp -d "${base:-/tmp}/fuse-bench.XXXXXX") || exit 1
tmpfs=0
if [ -z "$base" ]; then
	mount -t tmpfs -o size=3g,mode=755 fuse-bench "$T" || die "cannot mount a tmpfs"
	tmpfs=1
fi
MNT=$T/mnt
mkdir "$MNT"
pid=
cleanup() {
	if mountpoint -q "$MNT" 2>/dev/null; then
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	[ "$tmpfs" -eq 0 ] || umount "$T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# passthrough_ll, built here from the libfuse3-dev example.
if [ "$pll" = auto ]; then
	ex=/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c
	pll=none
	if [ -f "$ex" ] && cc -O2 -o "$T/passthrough_ll" "$ex" \
	    $(pkg-config --cflags --libs fuse3) 2>"$T/pll-build.log"; then
		pll=$T/passthrough_ll
	else
		echo "fuse-bench: passthrough_ll not built; left out" >&2
	fi
fi
[ "$pll" = none ] || [ -x "$pll" ] || die "no executable $pll"

systems="native"
[ "$pll" = none ] || systems="$systems passthrough_ll"
systems="$systems puffsnode-fuse"
[ -z "$before" ] || systems="$systems before"

echo "fuse-bench: archiving $srcs"
# shellcheck disable=SC2086
tar -c -f "$T/src.tar" $srcs 2>/dev/null
entries=$(tar -t -f "$T/src.tar" | wc -l)
mb=$(( $(stat -c %s "$T/src.tar") / 1048576 ))
echo "fuse-bench: $entries entries, $mb MB; systems: $systems; $rounds rounds"

# mount_sys SYSTEM: start its daemon on $T/back-SYSTEM; dir: the tree's path.
mount_sys() {
	back=$T/back-$1
	mkdir -p "$back"
	dir=$MNT
	case $1 in
	native) dir=$back; return 0 ;;
	passthrough_ll)
		set -- "$pll" -f -o source="$back",timeout=1,max_idle_threads=4 "$MNT" ;;
	puffsnode-fuse) set -- "$BIN" -f --threads 4 --timeout 1 "$back" "$MNT" ;;
	before) set -- "$before" -f --threads 4 --timeout 1 "$back" "$MNT" ;;
	esac
	(ulimit -n "$nofile" && exec $PREFIX "$@") >"$T/daemon.log" 2>&1 &
	pid=$!
	i=0
	while ! mountpoint -q "$MNT"; do
		kill -0 "$pid" 2>/dev/null || { cat "$T/daemon.log" >&2; die "$1 did not mount"; }
		i=$((i + 1))
		[ "$i" -lt 300 ] || die "$1: no mount after 30 s"
		sleep 0.1
	done
}

# unmount_sys SYSTEM: unmount, wait; a puffsnode-fuse must exit clean.
unmount_sys() {
	[ "$1" = native ] && return 0
	fusermount3 -u "$MNT" || die "$1: fusermount3 -u failed"
	wait "$pid"
	rc=$?
	pid=
	case $1 in
	puffsnode-fuse|before)
		if [ "$rc" -ne 0 ] || ! grep -q "clean unmount" "$T/daemon.log"; then
			cat "$T/daemon.log" >&2
			die "$1: unclean unmount (exit $rc)"
		fi
		grep "server:" "$T/daemon.log" | sed "s/^/    $1 /" >>"$out/daemon-stats.txt" ;;
	esac
}

cold() {	# cold SYSTEM: a fresh mount, dentries and inodes dropped
	unmount_sys "$1"
	sync
	echo 2 > /proc/sys/vm/drop_caches
	mount_sys "$1"
}

now_ms() { date +%s%N | sed 's/......$//'; }
timed() {	# timed ROUND SYSTEM WORKLOAD COMMAND...
	r=$1 s=$2 w=$3
	shift 3
	t0=$(now_ms)
	"$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; die "$s: $w failed"; }
	t1=$(now_ms)
	echo "$r $s $w $((t1 - t0))" >>"$out/raw.txt"
}

du4() {	# four du -s at once; waits for those alone (a daemon runs too)
	du -s "$1" & p1=$!
	du -s "$1" & p2=$!
	du -s "$1" & p3=$!
	du -s "$1" & p4=$!
	wait "$p1" && wait "$p2" && wait "$p3" && wait "$p4"
}

PREFIX=
if [ "$straceonly" -eq 1 ]; then
	for s in $systems; do
		[ "$s" = native ] && continue
		PREFIX="strace -c -f -o $out/strace-$s.txt"
		mount_sys "$s"
		tar -x -f "$T/src.tar" -C "$dir" || die "$s: tar -x failed"
		rm -rf "${dir:?}"/*
		unmount_sys "$s"
		echo "fuse-bench: $out/strace-$s.txt"
	done
	exit 0
fi

: >"$out/raw.txt"
: >"$out/daemon-stats.txt"
start=$(date +%s)
r=1
while [ "$r" -le "$rounds" ]; do
	for s in $systems; do
		mount_sys "$s"
		timed "$r" "$s" tar-x tar -x -f "$T/src.tar" -C "$dir"
		cold "$s"
		timed "$r" "$s" find-cold find "$dir"
		timed "$r" "$s" find-warm find "$dir"
		sleep 1.1	# past the entry and attribute timeouts
		timed "$r" "$s" ls-lR ls -lR "$dir"
		cold "$s"
		timed "$r" "$s" du-x4 du4 "$dir"
		timed "$r" "$s" rm-rf rm -rf "$dir/usr"
		unmount_sys "$s"
	done
	echo "fuse-bench: round $r done, $(( $(date +%s) - start )) s"
	r=$((r + 1))
done

# Medians, the table, the plot.
workloads="tar-x find-cold find-warm ls-lR du-x4 rm-rf"
median() {	# median SYSTEM WORKLOAD
	awk -v s="$1" -v w="$2" '$2 == s && $3 == w { print $4 }' "$out/raw.txt" |
	    sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
{
	fstype=$(findmnt -n -o FSTYPE -T "$T" 2>/dev/null) || fstype=$(stat -f -c %T "$T")
	echo "$entries entries, $mb MB on $fstype ($(cd "$T" && df -P . | awk 'NR == 2 { print $1 }')); medians of $rounds interleaved rounds, milliseconds;"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); RLIMIT_NOFILE $nofile"
	echo
	printf "| workload |"
	for s in $systems; do printf " %s |" "$s"; done
	[ "$pll" = none ] || printf " puffsnode / passthrough_ll |"
	printf " puffsnode / native |"
	[ -z "$before" ] || printf " puffsnode / before |"
	echo
	printf "|---|"
	for s in $systems; do printf "%s" "---:|"; done
	[ "$pll" = none ] || printf "%s" "---:|"
	printf "%s" "---:|"
	[ -z "$before" ] || printf "%s" "---:|"
	echo
	for w in $workloads; do
		printf "| %s |" "$w"
		for s in $systems; do printf " %s |" "$(median "$s" "$w")"; done
		pn=$(median puffsnode-fuse "$w")
		[ "$pll" = none ] || printf " %s |" "$(ratio "$pn" "$(median passthrough_ll "$w")")"
		printf " %s |" "$(ratio "$pn" "$(median native "$w")")"
		[ -z "$before" ] || printf " %s |" "$(ratio "$pn" "$(median before "$w")")"
		echo
	done
} >"$out/latest.md"
{
	printf "workload"
	for s in $systems; do printf ",%s" "$s"; done
	echo
	for w in $workloads; do
		printf "%s" "$w"
		for s in $systems; do printf ",%s" "$(median "$s" "$w")"; done
		echo
	done
} >"$out/latest.csv"
cat "$out/latest.md"

if command -v gnuplot >/dev/null; then
	first=${systems%% *}
	more=
	i=3
	for s in ${systems#* }; do
		more="$more, '' every ::1 using (\$$i/1000) title '$s'"
		i=$((i + 1))
	done
	gnuplot <<EOF
set terminal pngcairo size 900,480 noenhanced font ",10"
set output '$out/latest.png'
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel 'seconds (median of $rounds rounds)'
set title 'puffsnode-fuse: $entries entries, $mb MB, 1 s timeouts, 4 threads'
set key top right
set grid ytics
set yrange [0:*]
plot '$out/latest.csv' every ::1 using (\$2/1000):xtic(1) title '$first'$more
EOF
	[ -f "$out/latest.png" ] && echo "fuse-bench: $out/latest.png"
fi
exit 0
