#!/bin/sh
# progs.sh PUFFSNODE-FUSE FSX FSSTRESS SYSCALLS -- the project's own
# file-system exercisers through a mount of puffsnode-fuse.
#
#   syscalls   about sixty single system-call checks (open flags,
#              rename, link counts, unlinked open files, symlinks, times,
#              fallocate, readdir after changes, a user's refusals ...),
#              first on a plain directory (they must hold there), then
#              through the mount
#   fsx        100,000 random operations on one file (writes, reads,
#              truncates, mapped reads and writes, fsync, holes), each
#              read checked against a model; then the backing file
#              compared with it
#   fsstress   4 processes, 20,000 random namespace and data operations
#              in one small tree; then its listing (names, types, modes,
#              link counts, sizes, symlink targets, data checksums)
#              through the mount compared with the backing tree, and
#              again after a fresh mount
# After each mount: the daemon exits 0 with "clean unmount".  The seed
# is PN_FUSE_SEED (default 1), printed so that a failure can be rerun.
#
# Exits 77 (skipped) where FUSE cannot be used: no /dev/fuse, no
# permission, or a mount refused.
set -u

BIN=${1:?usage: progs.sh PUFFSNODE-FUSE FSX FSSTRESS SYSCALLS}
FSX=${2:?}
FSSTRESS=${3:?}
SYSCALLS=${4:?}
for v in BIN FSX FSSTRESS SYSCALLS; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
SEED=${PN_FUSE_SEED:-1}
OPS=${PN_FUSE_FSX_OPS:-100000}
failed=0
pid=

say() { echo "progs.sh: $*"; }
fail() { say "FAIL: $*"; failed=1; }
skip() { say "SKIP: $*"; exit 77; }
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then say "ok: $desc"; else fail "$desc"; fi
}

[ -e /dev/fuse ] || skip "no /dev/fuse"
[ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "no read/write permission on /dev/fuse"
command -v fusermount3 >/dev/null || skip "no fusermount3"
for p in "$BIN" "$FSX" "$FSSTRESS" "$SYSCALLS"; do
	[ -x "$p" ] || { say "no executable $p"; exit 1; }
done

T=$(mktemp -d /tmp/puffsnode-progs.XXXXXX) || exit 1
chmod 755 "$T"
BACK=$T/back
MNT=$T/mnt
mkdir "$BACK" "$MNT" "$T/native"
chmod 755 "$BACK" "$T/native"

cleanup() {
	if mountpoint -q "$MNT" 2>/dev/null; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# allow_other: the user's checks of syscalls reach the mount (root only).
opts=
[ "$(id -u)" -eq 0 ] && opts="-o allow_other"

mount_fs() {	# mount_fs LOG
	# shellcheck disable=SC2086
	"$BIN" -f $opts "$BACK" "$MNT" 2>"$1" &
	pid=$!
	i=0
	while ! mountpoint -q "$MNT"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			pid=
			cat "$1"
			grep -qiE "not permitted|permission denied|no such device" "$1" &&
			    skip "the mount was refused"
			say "FAIL: the daemon exited before mounting"
			exit 1
		fi
		i=$((i + 1))
		[ "$i" -lt 200 ] || { say "FAIL: no mount after 20 s"; exit 1; }
		sleep 0.1
	done
}

unmount_fs() {	# unmount_fs LOG
	fusermount3 -u "$MNT" || { fail "fusermount3 -u"; return; }
	wait "$pid"
	rc=$?
	pid=
	check "daemon exit status 0 (was $rc)" [ "$rc" -eq 0 ]
	grep -q "puffsnode-fuse: clean unmount" "$1" || { sed 's/^/    /' "$1"; fail "no clean unmount"; }
	grep -E "misbehaved|ids:" "$1" | sed 's/^/    /'
}

# run NAME COMMAND...: its output to a log, shown on failure (the last lines).
run() {
	name=$1
	shift
	if "$@" >"$T/$name.log" 2>&1; then
		say "ok: $name: $(tail -1 "$T/$name.log")"
	else
		fail "$name"
		tail -40 "$T/$name.log" | sed 's/^/    /'
	fi
}

say "seed $SEED"
run syscalls-native "$SYSCALLS" "$T/native"
mount_fs "$T/log1"
run syscalls "$SYSCALLS" "$MNT"
start=$(date +%s)
run fsx "$FSX" -n "$OPS" -s "$SEED" "$MNT/fsx.dat"
check "fsx: the backing file is the file seen through the mount" \
    cmp "$MNT/fsx.dat" "$BACK/fsx.dat"
mkdir "$MNT/stress"
run fsstress "$FSSTRESS" -p 4 -n 20000 -s "$SEED" "$MNT/stress"
run fsstress-compare "$FSSTRESS" -c "$MNT/stress" "$BACK/stress"
say "fsx and fsstress took $(( $(date +%s) - start )) s"
unmount_fs "$T/log1"
mount_fs "$T/log2"
run fsstress-compare-fresh-mount "$FSSTRESS" -c "$MNT/stress" "$BACK/stress"
unmount_fs "$T/log2"

[ "$failed" -eq 0 ] || { say "FAILED (seed $SEED)"; exit 1; }
say "all passed"
exit 0
