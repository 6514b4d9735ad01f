#!/bin/sh
# scripts/abi-update.sh [--check] [BUILD_DIR]
#
# The committed record of puffsnode's ABI:
#   tests/symbols/puffsnode.syms        exports of libpuffsnode.so,
#   tests/symbols/puffsnode-sim.syms    libpuffsnode-sim.so and
#   tests/symbols/puffsnode-posix.syms  libpuffsnode-posix.so, with their
#                                       version nodes (nm, sorted)
#   abi/libpuffsnode.abi                abidw's description of the shared
#   abi/libpuffsnode-sim.abi            libraries: symbols and public
#   abi/libpuffsnode-posix.abi          types
#
# Without --check, regenerate all six from BUILD_DIR.  Do this only on
# purpose, for an ABI change docs/versioning.md allows, and commit the
# result with the change.
#
# With --check (scripts/check.sh runs this), compare BUILD_DIR's libraries
# with the record: the exports with the lists, and abidiff of each baseline
# against the built library.  Any difference fails, compatible or not: an
# added function must be recorded as deliberately as a removed one.
#
# BUILD_DIR (default build-check) needs debug information: it is set up as
# scripts/check.sh sets it up when missing, and built.  The baselines
# describe the x86_64 ABI; on other machines only the exports are checked.
# The libpuffsnode-sim and libpuffsnode-posix parts are skipped when the
# build has no simulator or no kit.
#
# Tools: nm (binutils), abidw and abidiff (abigail-tools).
set -eu
cd "$(dirname "$0")/.."

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
build=${1:-build-check}
abi_arch=x86_64

for tool in nm abidw abidiff; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "abi-update: $tool not found (scripts/deps.txt: binutils, abigail-tools)" >&2
		exit 1
	}
done

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Ddocs=false >/dev/null
fi
ninja -C "$build" >"$build/abi-ninja.log" 2>&1 ||
	{ grep -E 'error|FAILED' "$build/abi-ninja.log" | head -20; exit 1; }

# Only what a user of the installed headers sees: exported functions and
# the types reachable from them that include/puffsnode/ defines (struct
# pn_mount and struct pn_node stay opaque declarations).  No source
# locations, build paths or numbered type ids, so that the baselines change
# only when the ABI does.  The check describes the built library the same
# way and compares the two descriptions (abidiff of the library itself
# would have no locations in the baseline to tell public types by).
abidw_opts="--headers-dir include/puffsnode --drop-private-types
    --exported-interfaces-only --no-show-locs --no-comp-dir-path
    --no-corpus-path --type-id-style hash"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/puffsnode-abi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

status=0
libs="libpuffsnode:lib/libpuffsnode.so:puffsnode"
if [ -f "$build/lib/posix/libpuffsnode-posix.so" ]; then
	libs="$libs libpuffsnode-posix:lib/posix/libpuffsnode-posix.so:puffsnode-posix"
else
	echo "abi-update: $build has no libpuffsnode-posix: its record is left alone"
fi
if [ -f "$build/lib/sim/libpuffsnode-sim.so" ]; then
	libs="$libs libpuffsnode-sim:lib/sim/libpuffsnode-sim.so:puffsnode-sim"
else
	echo "abi-update: $build has no libpuffsnode-sim: its record is left alone"
fi

native=true
if [ "$(uname -m)" != "$abi_arch" ]; then
	native=false
	echo "abi-update: the baselines describe $abi_arch, this is $(uname -m): abidw/abidiff skipped"
fi

for l in $libs; do
	name=${l%%:*}
	rest=${l#*:}
	so=$build/${rest%%:*}
	syms=tests/symbols/${rest#*:}.syms
	abi=abi/$name.abi

	if ! $check; then
		tests/symbols/exports.sh nm "$so" >"$syms"
		echo "$syms: $(wc -l <"$syms" | tr -d ' ') symbols"
		if $native; then
			# shellcheck disable=SC2086
			abidw $abidw_opts --out-file "$abi" "$so"
			echo "$abi: written"
		fi
		continue
	fi

	tests/symbols/exports.sh nm "$so" "$syms" 2>&1 || status=1
	$native || continue
	# shellcheck disable=SC2086
	abidw $abidw_opts --out-file "$tmp/$name.abi" "$so"
	# abidiff: bit 0 an error, bit 1 a usage error, bit 2 an ABI change,
	# bit 3 an incompatible one.
	rc=0
	abidiff "$abi" "$tmp/$name.abi" >"$tmp/report" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "$name: the ABI matches $abi"
	else
		cat "$tmp/report"
		if [ $((rc & 8)) -ne 0 ]; then
			echo "$name: INCOMPATIBLE ABI change against $abi"
		elif [ $((rc & 4)) -ne 0 ]; then
			# abidiff cannot tell: a struct the library fills
			# that grew breaks old callers all the same.
			echo "$name: ABI change against $abi"
		else
			echo "$name: abidiff failed (exit $rc)"
		fi
		status=1
	fi
done

if $check && [ "$status" -ne 0 ]; then
	echo "abi-update: the ABI differs from the record: see docs/versioning.md"
fi
exit $status
