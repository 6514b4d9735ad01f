#!/bin/sh
# subproject-test.sh SOURCE_ROOT CONSUMER_DIR
#
# Embeds the puffsnode tree at SOURCE_ROOT as a Meson subproject of the
# consumer project in CONSUMER_DIR: the project is copied to a scratch
# directory, subprojects/puffsnode is made a link to SOURCE_ROOT, and
# dependency('puffsnode') is forced to fall back to it (an installed
# puffsnode must not answer instead).  Then setup, build, and run the
# consumer.  Nothing is written to SOURCE_ROOT or to its build trees.
#
# Environment: CC, the compiler (the build tree's); MESON, the meson
# command (default: meson).  Exit status 77 if meson or ninja is missing.
set -eu

src=$1
consumer=$2
meson=${MESON:-meson}

for tool in "$meson" ninja; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "subproject-test: $tool not found: skipped"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/puffsnode-subproject.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

mkdir "$tmp/consumer"
cp "$consumer/meson.build" "$consumer/main.c" "$tmp/consumer/"
mkdir "$tmp/consumer/subprojects"
ln -s "$(cd "$src" && pwd)" "$tmp/consumer/subprojects/puffsnode"

log=$tmp/log
run() {
	if ! "$@" >"$log" 2>&1; then
		cat "$log"
		echo "subproject-test: FAILED: $*"
		exit 1
	fi
}

run "$meson" setup --force-fallback-for=puffsnode --wrap-mode=nodownload \
    "$tmp/build" "$tmp/consumer"
grep -q 'Subproject puffsnode finished' "$tmp/build/meson-logs/meson-log.txt" || {
	echo "subproject-test: FAILED: puffsnode was not configured as a subproject"
	exit 1
}
run ninja -C "$tmp/build" -j "${PN_INSTALL_JOBS:-2}"
out=$("$tmp/build/consumer") || {
	echo "$out"
	echo "subproject-test: FAILED: the consumer"
	exit 1
}
echo "$out"
