#!/bin/sh
# perm.sh PUFFSNODE-FUSE -- POSIX permission semantics through puffsnode-fuse,
# checked against the backing file system itself.
#
# The same cases run twice, on a plain directory of the backing file
# system and through a mount, as root and as other users (setpriv); every
# outcome (exit status, mode, owner) must be the same.  A few outcomes of
# the plain run are checked too, so that a broken setpriv cannot make the
# two runs agree by failing alike.
#
# Mount 1: the daemon as root with its default options (-o allow_other
# so that other users reach the mount at all, --groups-timeout 2): set-uid
# and set-gid bits cleared by a non-owner's write, truncate and open with
# O_TRUNC and by chown; a readable but not searchable directory listed;
# search permission on every prefix of a cached path (stat, open, chmod,
# chown, truncate, link under it); FIFO and device opens; sticky and
# set-gid directories; set-gid dropped by chmod from a non-member; times.
# Then a caller's changed group list: seen at once by the kernel's
# checks, by the server's within --groups-timeout.
# Mount 2: the daemon as user nobody (default_permissions, no id
# switching): the owner's cases of the same kinds.
# After each mount: exit status 0 and "clean unmount".
#
# Exits 77 where root, setpriv, /dev/fuse or fusermount3 is missing.
set -u

BIN=${1:?usage: perm.sh PUFFSNODE-FUSE}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
failed=0
pid=
say() { echo "perm.sh: $*"; }
fail() { say "FAIL: $*"; failed=1; }
skip() { say "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "not root"
[ -e /dev/fuse ] || skip "no /dev/fuse"
command -v setpriv >/dev/null || skip "no setpriv"
command -v fusermount3 >/dev/null || skip "no fusermount3"
[ -x "$BIN" ] || { say "no executable $BIN"; exit 1; }

# Bad option values: a usage error (exit 2), nothing mounted.
for v in -1 abc 1e9 ""; do
	"$BIN" --groups-timeout "$v" /nonexistent /nonexistent 2>/dev/null
	rc=$?
	[ "$rc" -eq 2 ] || fail "--groups-timeout '$v': exit $rc, not 2"
done

T=$(mktemp -d /tmp/puffsnode-perm.XXXXXX) || exit 1
chmod 755 "$T"
# Root cannot stat another user's mount (no allow_other): ask /proc.
mounted() { grep -q "^[^ ]* $1 fuse" /proc/mounts; }
cleanup() {
	for m in "$T/mnt" "$T/umnt"; do
		mounted "$m" && { fusermount3 -u "$m" || fusermount3 -uz "$m"; }
	done 2>/dev/null
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

U="setpriv --reuid=65534 --regid=65534 --clear-groups"
U2="setpriv --reuid=65533 --regid=65533 --clear-groups"

# The cases, in a file that user nobody can read too.
cat >"$T/cases.sh" <<'CASES'
# r NAME COMMAND...: the outcome of COMMAND, 0 or 1.
r() {
	n=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "$n 0"; else echo "$n 1"; fi
}
# m NAME FILE: mode, owner and group of FILE.
m() { echo "$1 $(stat -c '%a %u %g' "$2" 2>&1)"; }

# The cases as root (the caller switches with setpriv), in the current directory.
root_cases() {
	# Set-uid and set-gid bits and a non-owner's write, truncate, O_TRUNC.
	for b in 4777 2777 6777 2767; do
		touch w$b && chmod $b w$b
		r write-$b $U dd if=/dev/zero of=w$b bs=1 count=1 conv=notrunc status=none
		m write-$b-mode w$b
		touch t$b && chmod $b t$b
		r truncate-$b $U truncate -s 0 t$b
		m truncate-$b-mode t$b
		touch o$b && chmod $b o$b
		r otrunc-$b $U sh -c ": > o$b"
		m otrunc-$b-mode o$b
	done
	touch own4777 && chown 65534:65534 own4777 && chmod 4777 own4777
	r owner-write $U dd if=/dev/zero of=own4777 bs=1 count=1 conv=notrunc status=none
	m owner-write-mode own4777
	touch root4755 && chmod 4755 root4755
	r root-write dd if=/dev/zero of=root4755 bs=1 count=1 conv=notrunc status=none
	m root-write-mode root4755
	# chown clears them.
	touch c4755 c2755 && chmod 4755 c4755 && chmod 2755 c2755
	r chown-4755 chown 65534 c4755
	m chown-4755-mode c4755
	r chown-2755 chown 65534:65534 c2755
	m chown-2755-mode c2755
	# A truncate without write permission.
	touch ro && chmod 644 ro
	r truncate-ro $U truncate -s 0 ro
	# A readable but not searchable directory.
	mkdir rd && touch rd/x && chown 65534:65534 rd && chmod 0600 rd
	r list-rd $U ls rd
	r stat-rd-x $U stat rd/x
	# Search permission on every prefix of a cached path.
	mkdir -p p1/p2/p3 && echo data > p1/p2/p3/f
	chown -R 65534:65534 p1
	r warm $U sh -c 'stat p1/p2/p3/f && cat p1/p2/p3/f'
	for d in p1 p1/p2 p1/p2/p3; do
		chmod 0644 $d
		r stat-under-$d $U stat p1/p2/p3/f
		r cat-under-$d $U cat p1/p2/p3/f
		r chmod-under-$d $U chmod 0600 p1/p2/p3/f
		r chgrp-under-$d $U chgrp 65534 p1/p2/p3/f
		r truncate-under-$d $U truncate -s 1 p1/p2/p3/f
		r link-under-$d $U ln p1/p2/p3/f lnk-$(echo $d | tr / _)
		chmod 0755 $d
		r again-$d $U stat p1/p2/p3/f
	done
	m under-mode p1/p2/p3/f
	# FIFO and device opens.
	mkfifo fifo && chmod 0600 fifo
	r fifo-other $U sh -c 'exec 3<>fifo'
	r fifo-root sh -c 'exec 3<>fifo'
	chmod 0666 fifo
	r fifo-0666 $U sh -c 'exec 3<>fifo'
	mknod dev c 1 3 && chmod 0600 dev
	r dev-other $U sh -c 'exec 3<>dev'
	# A sticky directory.
	mkdir st && chmod 1777 st && touch st/root && chmod 666 st/root
	r sticky-rm-other $U rm -f st/root
	r sticky-create $U touch st/mine
	r sticky-rm-2 $U2 rm -f st/mine
	r sticky-mv-2 $U2 mv st/mine st/moved
	r sticky-rm-owner $U rm -f st/mine
	# A set-gid directory.
	mkdir sg && chgrp 4242 sg && chmod 2777 sg
	r sgid-create $U sh -c 'touch sg/f && mkdir sg/d'
	m sgid-file sg/f
	m sgid-dir sg/d
	# chmod g+s by an owner outside the file's group: dropped.
	touch gs && chown 65534:4242 gs
	r chmod-gs $U chmod 2755 gs
	m chmod-gs-mode gs
	# Times: "now" with write permission, explicit times as the owner only.
	touch tm && chmod 666 tm
	r touch-now $U touch tm
	r touch-explicit $U touch -d @1000000000 tm
	r chmod-other $U chmod 600 tm
}

# The cases as the daemon's own user, nobody.
user_cases() {
	touch s && chmod 4755 s
	r owner-write dd if=/dev/zero of=s bs=1 count=1 conv=notrunc status=none
	m owner-write-mode s
	mkdir rd && touch rd/x && chmod 0600 rd
	r list-rd ls rd
	r stat-rd-x stat rd/x
	mkdir -p a/b && echo x > a/b/f && cat a/b/f >/dev/null
	chmod 0600 a
	r stat-under-a stat a/b/f
	r chmod-under-a chmod 0600 a/b/f
	chmod 0700 a
	chmod 0600 a/b
	r cat-under-b cat a/b/f
	chmod 0700 a/b
	touch ro && chmod 0444 ro
	r truncate-ro truncate -s 0 ro
	mkfifo fifo && chmod 0200 fifo
	r fifo-noread sh -c 'exec 3<fifo'
	chmod 0600 fifo
	r fifo-rw sh -c 'exec 3<>fifo'
}
CASES
chmod 644 "$T/cases.sh"
. "$T/cases.sh"

# mount_fs LOG MNT BACK WRAPPER ARGS...: the daemon in the foreground.
mount_fs() {
	log=$1 mnt=$2 back=$3 wrap=$4
	shift 4
	$wrap "$BIN" -f "$@" "$back" "$mnt" 2>"$log" &
	pid=$!
	i=0
	while ! mounted "$mnt"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			pid=
			cat "$log"
			grep -qiE "not permitted|permission denied|no such device" "$log" &&
			    skip "the mount was refused"
			say "FAIL: the daemon exited before mounting"
			exit 1
		fi
		i=$((i + 1))
		[ "$i" -lt 200 ] || { say "FAIL: no mount after 20 s"; exit 1; }
		sleep 0.1
	done
}

unmount_fs() {	# unmount_fs LOG MNT
	fusermount3 -u "$2" || { fail "fusermount3 -u $2"; return; }
	wait "$pid"
	rc=$?
	pid=
	[ "$rc" -eq 0 ] || { cat "$1"; fail "daemon exit status $rc"; }
	grep -q "puffsnode-fuse: clean unmount" "$1" || { cat "$1"; fail "no clean unmount"; }
}

# compare NAME EXPECTED...: the two runs agree, and the plain run shows EXPECTED lines.
compare() {
	name=$1
	shift
	if diff -u "$T/$name.native" "$T/$name.fuse" >"$T/$name.diff"; then
		say "ok: $name: $(wc -l <"$T/$name.native") outcomes as on the backing file system"
	else
		fail "$name: outcomes differ from the backing file system (-native +fuse):"
		sed 's/^/    /' "$T/$name.diff"
	fi
	for e in "$@"; do
		grep -qx "$e" "$T/$name.native" || fail "$name: the plain run lacks \"$e\""
	done
}

# ---- mount 1: root daemon
mkdir "$T/native" "$T/back" "$T/mnt"
(cd "$T/native" && root_cases) >"$T/root.native"
mount_fs "$T/log1" "$T/mnt" "$T/back" "" -o allow_other --groups-timeout 2
mkdir "$T/mnt/w"
(cd "$T/mnt/w" && root_cases) >"$T/root.fuse"
compare root "write-4777 0" "write-4777-mode 777 0 0" "list-rd 0" \
    "stat-rd-x 1" "chmod-under-p1 1" "fifo-other 1" "sticky-rm-other 1" \
    "chmod-gs-mode 755 65534 4242" "root-write-mode 4755 0 0"

# A caller's new group list: the kernel sees it at once, the server
# within --groups-timeout (2 s here).
echo group > "$T/mnt/w/g" && chgrp 4242 "$T/mnt/w/g" && chmod 640 "$T/mnt/w/g"
if command -v python3 >/dev/null; then
	out=$(python3 - "$T/mnt/w/g" <<'EOF'
import os, sys, time
f = sys.argv[1]
def tryread():
    try:
        with open(f) as fp:
            fp.read()
        return "read"
    except PermissionError:
        return "denied"
os.setgroups([]); os.setegid(65534); os.seteuid(65534)
# A name not there: a LOOKUP the server answers as this caller, which
# caches its group list (a denial by the kernel alone would not).
os.path.exists(os.path.join(os.path.dirname(f), "none.%d" % os.getpid()))
before = tryread()
os.seteuid(0); os.setgroups([4242]); os.seteuid(65534)
soon = tryread()
time.sleep(2.5)
print(before, soon, tryread())
EOF
)
	if [ "$out" = "denied denied read" ]; then
		say "ok: a new group list reaches the server after the groups timeout ($out)"
	else
		fail "group list change: $out (want: denied denied read)"
	fi
fi
unmount_fs "$T/log1" "$T/mnt"
grep -q "callers' groups read" "$T/log1" || fail "no ids statistics"

# ---- mount 2: the daemon as nobody
mkdir "$T/unative" "$T/uback" "$T/umnt"
chown 65534:65534 "$T/unative" "$T/uback" "$T/umnt"
$U sh -c "cd $T/unative && . $T/cases.sh && user_cases" >"$T/user.native" 2>&1
mount_fs "$T/log2" "$T/umnt" "$T/uback" "$U"
# Root cannot enter another user's mount: the user does.
$U sh -c "cd $T/umnt && . $T/cases.sh && user_cases" >"$T/user.fuse" 2>&1
unmount_fs "$T/log2" "$T/umnt"
compare user "owner-write-mode 755 65534 65534" "list-rd 0" "stat-rd-x 1" \
    "stat-under-a 1" "cat-under-b 1" "fifo-noread 1" "truncate-ro 1"

[ "$failed" -eq 0 ] || { say "FAILED"; exit 1; }
say "all passed"
exit 0
