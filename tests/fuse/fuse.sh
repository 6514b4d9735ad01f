#!/bin/sh
# fuse.sh PUFFSNODE-FUSE -- a real mount through puffsnode, exercised with
# real tools.
#
# Run 1 (defaults, -o allow_other): cp -a a tree of more than 10,000
# files in, diff -r, find | wc -l, tar c | tar t, hard links, symlinks,
# rename over an existing file, renameat2 NOREPLACE / EXCHANGE, an
# editor's save (sed -i), a FIFO, attributes (chmod, chown, truncate,
# touch), permission checks as another user, a git repository,
# stress-ng's file-system stressors and fio with verification.
# Run 2 (--maxvnodes 64 --shrink, 512 descriptors): a tree copied,
# compared and removed with two readers at once; the shrinker makes the
# kernel forget entries, so vnodes are reclaimed and looked up again under
# load (cookies reused, inactive vnodes reactivated), and the server
# reopens node descriptors from file handles.
# Run 3: SIGTERM with a file open.
# After each run: unmount; the daemon must exit 0 having printed its
# statistics and "clean unmount" (nothing left in the pool, no vnode, no
# server node).
#
# Exits 77 (skipped) where FUSE cannot be used: no /dev/fuse, no
# permission, or a mount refused with EPERM.
set -u

BIN=${1:?usage: fuse.sh PUFFSNODE-FUSE}
case $BIN in
/*)	;;
*)	BIN=$(pwd)/$BIN ;;	# meson passes it relative; the runs change directory
esac
SRC1=${PN_FUSE_SRC1:-/usr/include}
SRC2=${PN_FUSE_SRC2:-/usr/share/doc}
failed=0
pid=

say() { echo "fuse.sh: $*"; }
fail() { say "FAIL: $*"; failed=1; }
skip() { say "SKIP: $*"; exit 77; }
check() {	# check DESCRIPTION COMMAND...: run, report
	desc=$1
	shift
	if "$@"; then
		say "ok: $desc"
	else
		fail "$desc"
	fi
}

[ -e /dev/fuse ] || skip "no /dev/fuse"
[ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "no read/write permission on /dev/fuse"
command -v fusermount3 >/dev/null || skip "no fusermount3"
[ -x "$BIN" ] || { say "no executable $BIN"; exit 1; }
for d in "$SRC1" "$SRC2"; do
	[ -d "$d" ] || skip "no source tree $d"
done

T=$(mktemp -d /tmp/puffsnode-fuse.XXXXXX) || exit 1
chmod 755 "$T"
BACK=$T/back
MNT=$T/mnt
mkdir "$BACK" "$MNT"

cleanup() {
	if mountpoint -q "$MNT" 2>/dev/null; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# mount_fs LOG ARGS...: start the daemon in the foreground, wait for the mount.
mount_fs() {
	log=$1
	shift
	if [ -n "${NOFILE:-}" ]; then
		(ulimit -n "$NOFILE" && exec "$BIN" -f "$@" "$BACK" "$MNT") 2>"$log" &
	else
		"$BIN" -f "$@" "$BACK" "$MNT" 2>"$log" &
	fi
	pid=$!
	i=0
	while ! mountpoint -q "$MNT"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			pid=
			cat "$log"
			if grep -qiE "operation not permitted|permission denied|device not found|no such device" "$log"; then
				skip "the mount was refused: $(head -1 "$log")"
			fi
			say "FAIL: the daemon exited before mounting"
			exit 1
		fi
		i=$((i + 1))
		[ "$i" -lt 200 ] || { say "FAIL: no mount after 20 s"; exit 1; }
		sleep 0.1
	done
	say "mounted: $*"
}

# unmount_fs LOG: unmount, wait for the daemon, check its exit and statistics.
unmount_fs() {
	log=$1
	fusermount3 -u "$MNT" || { fail "fusermount3 -u"; return; }
	wait "$pid"
	rc=$?
	pid=
	sed 's/^/    /' "$log"
	check "daemon exit status 0 (was $rc)" [ "$rc" -eq 0 ]
	check "statistics printed" grep -q "puffsnode-fuse: pool: high water" "$log"
	check "clean unmount: pool in use 0, no server node" \
	    grep -q "pool: .* in use 0," "$log"
	grep -q "puffsnode-fuse: clean unmount" "$log" || fail "no clean unmount line"
	grep -q "nodes held 0, lookups outstanding 0" "$log" || fail "server nodes left"
}

stat_of() { sed -n "s/.*$1 \([0-9][0-9]*\).*/\1/p" "$2" | head -1; }

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody_g() { setpriv --reuid=65534 --regid=65534 --groups=4242 "$@"; }

count_src=$( (cd "$SRC1" && find .; cd "$SRC2" && find .) | wc -l)
[ "$count_src" -ge 10000 ] || skip "source trees have $count_src entries, fewer than 10,000"

# ---------------------------------------------------------------- run 1
mount_fs "$T/log1" -o allow_other --threads 4
W=$MNT/work
mkdir "$W" || fail "mkdir"

# A tree of more than 10,000 files.
mkdir "$W/tree"
start=$(date +%s)
check "cp -a $SRC1 $SRC2 in" cp -a "$SRC1" "$W/tree/one"
check "cp -a second tree" cp -a "$SRC2" "$W/tree/two"
say "copied $count_src entries in $(( $(date +%s) - start )) s"
check "diff -r $SRC1" diff -r --no-dereference "$SRC1" "$W/tree/one"
check "diff -r $SRC2" diff -r --no-dereference "$SRC2" "$W/tree/two"
check "backing tree equal too" diff -r --no-dereference "$SRC1" "$BACK/work/tree/one"
count_mnt=$( (cd "$W/tree/one" && find .; cd "$W/tree/two" && find .) | wc -l)
check "find | wc -l: $count_mnt entries, $count_src in the sources" [ "$count_mnt" -eq "$count_src" ]
count_tar=$(tar c -C "$W/tree" . | tar t | wc -l)
check "tar c | tar t: $count_tar entries" [ "$count_tar" -eq $((count_src + 1)) ]

# Hard links and symlinks.
cd "$W" || exit 1
echo one > h1
ln h1 h2
check "hard link: same inode" [ "$(stat -c %i h1)" = "$(stat -c %i h2)" ]
check "hard link: 2 links" [ "$(stat -c %h h1)" -eq 2 ]
echo two >> h2
check "hard link: write through one, read through the other" [ "$(cat h1)" = "$(printf 'one\ntwo')" ]
rm h1
check "hard link: 1 link left" [ "$(stat -c %h h2)" -eq 1 ]
ln -s h2 sl
ln -s /nonexistent/target dangling
check "symlink: readlink" [ "$(readlink sl)" = h2 ]
check "symlink: read through" [ "$(cat sl)" = "$(cat h2)" ]
check "symlink: dangling" [ "$(readlink dangling)" = /nonexistent/target ]
check "symlink: lstat" [ "$(stat -c %F sl)" = "symbolic link" ]

# Rename over an existing file, renameat2 flags, an editor's save.
echo A > r1
echo B > r2
exec 3<r2	# an open file of the name replaced
mv r1 r2
check "rename over an existing file" [ "$(cat r2)" = A ]
check "rename: old name gone" [ ! -e r1 ]
check "rename: the replaced file still open" [ "$(cat <&3)" = B ]
exec 3<&-
mkdir rd1 rd2
echo in > rd1/f
mv rd1/f rd2/g
check "rename across directories" [ "$(cat rd2/g)" = in ]
mv rd2 rd3
check "rename a directory" [ "$(cat rd3/g)" = in ]
PY=$(command -v python3)
if [ -n "$PY" ]; then
	check "renameat2 RENAME_NOREPLACE and RENAME_EXCHANGE" "$PY" - "$W" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1]
def rn(a, b, flags):
    r = libc.renameat2(-100, os.path.join(d, a).encode(), -100,
                       os.path.join(d, b).encode(), flags)
    return 0 if r == 0 else ctypes.get_errno()
def rd(n):
    with open(os.path.join(d, n)) as f:
        return f.read()
for n, s in (("x", "X"), ("y", "Y")):
    with open(os.path.join(d, n), "w") as f:
        f.write(s)
assert rn("x", "y", 1) == 17, "NOREPLACE over an existing name"
assert rn("x", "y", 2) == 0 and rd("x") == "Y" and rd("y") == "X", "EXCHANGE"
assert rn("x", "z", 1) == 0 and rd("z") == "Y" and not os.path.exists(os.path.join(d, "x"))
EOF
fi
printf 'alpha\nbeta\n' > edit.txt
check "editor save (sed -i: write a copy, rename over)" sed -i 's/beta/gamma/' edit.txt
check "editor save: content" [ "$(cat edit.txt)" = "$(printf 'alpha\ngamma')" ]

# A FIFO.
mkfifo fifo
check "mkfifo: a FIFO" [ -p fifo ]
cat fifo > "$T/fifo.out" &
reader=$!
printf 'through the fifo\n' > fifo
wait "$reader"
check "FIFO: write, read" [ "$(cat "$T/fifo.out")" = "through the fifo" ]

# Attributes.
echo attr > at
chmod 640 at
chown 65534:4242 at
truncate -s 100 at
touch -m -d @1000000000 at
check "setattr: mode, owner, size, mtime on the backing file" \
    [ "$(stat -c '%a %u %g %s %Y' "$BACK/work/at")" = "640 65534 4242 100 1000000000" ]
check "setattr: seen through the mount" \
    [ "$(stat -c '%a %u %g %s %Y' at)" = "640 65534 4242 100 1000000000" ]

# Permissions, checked by the server under the caller's ids.
mkdir perm perm/shared
chmod 1777 perm/shared
echo secret > perm/secret; chmod 600 perm/secret
echo public > perm/public; chmod 644 perm/public
echo group > perm/group; chgrp 4242 perm/group; chmod 640 perm/group
check "nobody reads a 0644 file" as_nobody cat perm/public
check "nobody cannot read a 0600 file" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups cat perm/secret 2>/dev/null'
check "nobody cannot write a 0644 root file" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo x >> perm/public" 2>/dev/null'
check "nobody cannot create in a 0755 root directory" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups touch perm/new 2>/dev/null'
check "nobody cannot chmod a root file" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups chmod 666 perm/public 2>/dev/null'
check "nobody cannot read a 0640 file of another group" sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups cat perm/group 2>/dev/null'
check "nobody with supplementary group 4242 reads it" as_nobody_g cat perm/group
check "nobody creates in a 1777 directory" as_nobody touch perm/shared/mine
check "... and owns the file on the backing side" [ "$(stat -c %u:%g "$BACK/work/perm/shared/mine")" = 65534:65534 ]
check "access(2) as nobody: R_OK yes, W_OK no" as_nobody sh -c 'test -r perm/public && ! test -w perm/public'

# git.
if command -v git >/dev/null; then
	mkdir repo
	cp -a "$SRC1/linux" repo/ 2>/dev/null || cp "$SRC1"/*.h repo/
	check "git init, add, commit, status, fsck" sh -c '
	    cd repo && git init -q . && git add -A &&
	    git -c user.name=t -c user.email=t@t commit -qm import &&
	    git status --porcelain | wc -l | grep -qx 0 &&
	    git fsck --no-progress && git gc -q && git fsck --no-progress'
fi

# stress-ng's file-system stressors.
mkdir "$MNT/stress"
check "stress-ng --dir --dentry --rename --link --symlink --fstat" \
    stress-ng --dir 1 --dentry 1 --rename 1 --link 1 --symlink 1 --fstat 1 \
    --fstat-dir "$W/tree/one" -t 10s --temp-path "$MNT/stress" --metrics-brief
# fio, writing and verifying with crc32c.
mkdir "$MNT/fio"
check "fio randwrite --verify=crc32c" \
    fio --name=pnfuse --directory="$MNT/fio" --size=16m --bs=4k \
    --rw=randwrite --ioengine=psync --numjobs=2 --verify=crc32c \
    --do_verify=1 --verify_fatal=1 --group_reporting --minimal --output="$T/fio.out"
grep -q ';0;0;' "$T/fio.out" 2>/dev/null || true

cd /
unmount_fs "$T/log1"
check "metadata cache flushed" [ "$(stat_of "metadata cache:" "$T/log1")" -gt 0 ]

# ---------------------------------------------------------------- run 2
rm -rf "$BACK/work" "$BACK/stress" "$BACK/fio"
# 512 descriptors: the server keeps 256 node descriptors open and opens
# the others again from their file handles.
NOFILE=512 mount_fs "$T/log2" --maxvnodes 64 --shrink --threads 4
check "pressure: cp -a $SRC1" cp -a "$SRC1" "$MNT/p"
(diff -r --no-dereference "$SRC1" "$MNT/p" > "$T/diff2" 2>&1; echo $? > "$T/diff2.rc") &
bg=$!
n2=$(tar c -C "$MNT/p" . | tar t | wc -l)
wait "$bg"
check "pressure: diff -r while tar reads" [ "$(cat "$T/diff2.rc")" -eq 0 ]
check "pressure: tar t: $n2 entries" [ "$n2" -eq "$(cd "$SRC1" && find . | wc -l)" ]
check "pressure: find | wc -l" [ "$(cd "$MNT/p" && find . | wc -l)" -eq "$(cd "$SRC1" && find . | wc -l)" ]
check "pressure: rm -rf" rm -rf "$MNT/p"
check "pressure: empty" [ -z "$(ls -A "$MNT")" ]
unmount_fs "$T/log2"
reclaimed=$(sed -n 's/.*reclaimed [0-9]* (\([0-9]*\) while mounted.*/\1/p' "$T/log2")
check "pressure: vnodes reclaimed while mounted: ${reclaimed:-none}" [ "${reclaimed:-0}" -gt 0 ]
high=$(sed -n 's/.*vnodes: .*high water \([0-9]*\),.*/\1/p' "$T/log2")
check "pressure: vnode high water ${high:-none} well below the tree's $n2" [ "${high:-999999}" -lt $((n2 / 2)) ]
dropped=$(sed -n 's/.*shrinker: [0-9]* rounds, \([0-9]*\) entries dropped.*/\1/p' "$T/log2")
check "pressure: shrinker dropped ${dropped:-no} kernel entries" [ "${dropped:-0}" -gt 0 ]

# ---------------------------------------------------------------- run 3
# SIGTERM: the daemon unmounts itself and shuts down as cleanly.
mount_fs "$T/log3" --threads 1
mkdir -p "$MNT/t/u" && echo x > "$MNT/t/u/f" && cat "$MNT/t/u/f" >/dev/null
exec 4<"$MNT/t/u/f"	# an open file at the signal
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
exec 4<&-
sed 's/^/    /' "$T/log3"
check "SIGTERM: exit status 0 (was $rc)" [ "$rc" -eq 0 ]
check "SIGTERM: unmounted" sh -c "! mountpoint -q '$MNT'"
check "SIGTERM: clean unmount" grep -q "puffsnode-fuse: clean unmount" "$T/log3"

if [ "$failed" -ne 0 ]; then
	say "FAILED"
	exit 1
fi
say "all passed"
exit 0
