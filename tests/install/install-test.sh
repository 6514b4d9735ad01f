#!/bin/sh
# install-test.sh BUILD_DIR TEST_DIR VERSION PREFIX LIBDIR SIM
#
# Installs the build tree BUILD_DIR into a scratch DESTDIR (meson install
# --no-rebuild: nothing is built, nothing in the build tree changes but
# meson's install log), then builds the programs TEST_DIR/consumer-*.c
# against the installed copy alone, the way an outside user would: the
# compiler and linker flags come from `pkg-config puffsnode-posix` (the
# POSIX host kit, which requires puffsnode) and `pkg-config puffsnode-sim`
# when SIM is true.  Each program is linked
# twice, against the shared libraries (run with LD_LIBRARY_PATH pointing
# into DESTDIR) and against the static archives (`pkg-config --static`),
# and run; it checks pn_version() against VERSION and does a small real job
# through the library.
#
# The .pc files say prefix=PREFIX (/usr/local by default) and are found
# under DESTDIR.  PKG_CONFIG_SYSROOT_DIR=DESTDIR makes pkg-config put
# DESTDIR in front of the -I and -L paths, whatever the libdir looks like.
# (`pkg-config --define-prefix` would not do: it takes the prefix to be two
# levels above the .pc file, which is wrong for a multiarch libdir such as
# lib/x86_64-linux-gnu.)
#
# Environment: CC, the compiler (the build tree's); MESON, the meson
# command (default: meson).  Exit status 77 if a tool is missing.
set -eu

build=$1
testdir=$2
version=$3
prefix=$4
libdir=$5
sim=$6
meson=${MESON:-meson}
cc=${CC:-cc}

for tool in "$meson" pkg-config readelf ldd; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "install-test: $tool not found: skipped"
		exit 77
	fi
done
# $cc may be a command with arguments (ccache cc).
# shellcheck disable=SC2086
set -- $cc
if ! command -v "$1" >/dev/null 2>&1; then
	echo "install-test: compiler $1 not found: skipped"
	exit 77
fi

case $libdir in
/*) ;;
*) libdir=$prefix/$libdir ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/puffsnode-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
dest=$tmp/dest
lib=$dest$libdir

fail() {
	echo "install-test: FAILED: $*"
	exit 1
}

log=$tmp/log
"$meson" install -C "$build" --no-rebuild --skip-subprojects \
    --destdir "$dest" >"$log" 2>&1 || { cat "$log"; fail "meson install"; }
echo "installed into DESTDIR=$dest"

PKG_CONFIG_PATH=$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
unset LD_LIBRARY_PATH || true

pkgs="puffsnode puffsnode-posix"
progs=core
if [ "$sim" = true ]; then
	pkgs="$pkgs puffsnode-sim"
	progs="$progs sim"
fi
for p in $pkgs; do
	[ -f "$lib/pkgconfig/$p.pc" ] || fail "$lib/pkgconfig/$p.pc not installed"
	v=$(pkg-config --modversion "$p") || fail "pkg-config $p"
	[ "$v" = "$version" ] || fail "pkg-config says $p $v, not $version"
	case $(pkg-config --cflags "$p") in
	*"-I$dest$prefix/"*) ;;
	*) fail "pkg-config --cflags $p does not point into DESTDIR: $(pkg-config --cflags "$p")" ;;
	esac
done

# consumer_pkg core|sim: its pkg-config package; consumer_libs: the
# libraries it must need (the kit's from the core consumer's own calls).
consumer_pkg() { [ "$1" = core ] && echo puffsnode-posix || echo puffsnode-sim; }
consumer_libs() {
	if [ "$1" = core ]; then
		echo libpuffsnode libpuffsnode-posix
	else
		echo libpuffsnode-sim
	fi
}

cflags="-std=c11 -Wall -Wextra -Wpedantic -Werror"

compile() {	# compile OUTPUT SOURCE FLAGS...
	out=$1
	srcfile=$2
	shift 2
	# shellcheck disable=SC2086
	$cc $cflags -o "$out" "$srcfile" "$@" >"$log" 2>&1 ||
		{ cat "$log"; fail "compile $(basename "$out"): $cc $cflags -o $out $srcfile $*"; }
}

needed() {	# needed PROGRAM: the shared libraries it names
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

run() {		# run PROGRAM: it must succeed
	out=$("$@" "$version" 2>&1) || { echo "$out"; fail "$1"; }
	echo "  $out"
}

echo "shared libraries:"
for c in $progs; do
	pkg=$(consumer_pkg "$c")
	# shellcheck disable=SC2046
	compile "$tmp/$c-shared" "$testdir/consumer-$c.c" \
	    $(pkg-config --cflags --libs "$pkg")
	for l in $(consumer_libs "$c"); do
		so=$l.so.1
		needed "$tmp/$c-shared" | grep -qx "$so" ||
			fail "$c-shared does not need $so: $(needed "$tmp/$c-shared" | tr '\n' ' ')"
		LD_LIBRARY_PATH=$lib ldd "$tmp/$c-shared" | grep -qF "$so => $lib/$so " ||
			fail "$c-shared does not load $so from DESTDIR: $(LD_LIBRARY_PATH=$lib ldd "$tmp/$c-shared")"
	done
	run env LD_LIBRARY_PATH="$lib" "$tmp/$c-shared"
done

# Take the development links away: -lpuffsnode can only be the archive now.
rm -f "$lib/libpuffsnode.so" "$lib/libpuffsnode-sim.so" \
    "$lib/libpuffsnode-posix.so"
static=""
echo 'int main(void) { return 0; }' >"$tmp/probe.c"
if $cc -static -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
	static=-static
fi
echo "static archives${static:+ (linked $static)}:"
for c in $progs; do
	pkg=$(consumer_pkg "$c")
	# shellcheck disable=SC2046
	compile "$tmp/$c-static" "$testdir/consumer-$c.c" $static \
	    $(pkg-config --static --cflags --libs "$pkg")
	if needed "$tmp/$c-static" | grep -q '^libpuffsnode'; then
		fail "$c-static needs a shared puffsnode library: $(needed "$tmp/$c-static" | tr '\n' ' ')"
	fi
	run "$tmp/$c-static"
done
echo "install-test: ok"
