#!/bin/sh
# Portability builds, each in its own build directory with a cross file
# from cross/:
#   i386   32-bit x86 (gcc-i686-linux-gnu), run directly, or under
#          qemu-i386 where the kernel has no IA32 emulation  build-i386/
#   s390x  64-bit big-endian (gcc-s390x-linux-gnu), run under qemu-user
#                                                             build-s390x/
#   musl   x86-64 with the musl C library (musl-gcc): no CMocka or libbsd
#          for musl, so no unit or sim suites; the core, the header,
#          fault, stress, fuzz-replay and example tests      build-musl/
# then puffsnode-sim must print the same workload digest on i386 and
# s390x (the same seed gives the same operations and outcomes on a 32-bit
# little-endian and a 64-bit big-endian machine).
#
# Usage: scripts/cross.sh [i386] [s390x] [musl]   (default: all three)
# Exits non-zero on any failure.  PN_TEST_JOBS (default 2) sets the
# parallelism of ninja and meson test.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh

jobs=${PN_TEST_JOBS:-2}
targets=${*:-i386 s390x musl}
fail=0
step() { echo; echo "=== $*"; }

# Run a command, showing its output only when it fails.
quiet() {
	log=$(mktemp)
	if "$@" >"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	cat "$log"
	rm -f "$log"
	echo "FAILED: $*"
	return 1
}

# cross NAME CROSSFILE "SUITES" [TIMEOUT-MULTIPLIER [MESON-OPTION...]]
cross() {
	name=$1 ini=$2 suites=$3 mult=${4:-1}
	[ -n "$mult" ] || mult=1
	shift 4
	dir=build-$name
	step "$name: $ini; suites: $suites"
	t0=$(date +%s)
	if [ ! -f "$dir/build.ninja" ]; then
		quiet meson setup "$dir" --cross-file "$ini" \
		    -Dfuse=disabled -Dbench=disabled -Ddocs=false "$@" ||
			{ fail=1; return 0; }
	fi
	quiet ninja -C "$dir" -j "$jobs" || { fail=1; return 0; }
	set --
	for s in $suites; do
		set -- "$@" --suite "$s"
	done
	meson test -C "$dir" --no-rebuild --print-errorlogs \
	    --num-processes "$jobs" --timeout-multiplier "$mult" "$@" ||
		{ echo "FAILED: $name tests"; fail=1; }
	echo "$name: built and tested in $(($(date +%s) - t0)) s"
}

# An x86-64 kernel runs i386 programs directly, unless it was built
# without IA32 emulation: then qemu-i386 runs them (cross/i386-qemu.ini).
i386_run=
i386_layer=
case " $targets " in
*" i386 "*)
	probe=$(mktemp -d)
	echo 'int main(void) { return 0; }' >"$probe/t.c"
	if i686-linux-gnu-gcc "$probe/t.c" -o "$probe/t" 2>/dev/null &&
	    ! "$probe/t" 2>/dev/null; then
		i386_run=qemu-i386
		i386_layer="--cross-file cross/i386-qemu.ini"
		echo "cross.sh: this kernel runs no i386 program: qemu-i386 runs them"
	fi
	rm -rf "$probe"
	;;
esac

for t in $targets; do
	case $t in
	i386)
		# shellcheck disable=SC2086
		cross i386 cross/i386-linux-gnu.ini \
		    "unit sim headers symbols faults hostile stress fuzz examples" \
		    "${i386_run:+4}" $i386_layer
		;;
	s390x)
		# qemu-user runs the tests several times slower.
		cross s390x cross/s390x-linux-gnu.ini \
		    "unit sim headers symbols faults hostile stress fuzz examples" 4
		;;
	musl)
		cross musl cross/x86_64-linux-musl.ini \
		    "headers symbols faults stress fuzz examples" 1 -Dsim=false
		;;
	*)
		echo "cross.sh: unknown target $t (i386, s390x, musl)" >&2
		exit 2
		;;
	esac
done

case " $targets " in
*" i386 "*)
	case " $targets " in
	*" s390x "*)
		step "workload digest: i386 and s390x"
		set -- --nodes 2000 --ops 8000 --threads 4 --maxvnodes 64 \
		    --mix 40,20,10,10,10,10 --seed 7 --json --quiet
		digest() {
			"$@" | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p'
		}
		# shellcheck disable=SC2086
		a=$(digest $i386_run build-i386/tools/puffsnode-sim "$@" || true)
		b=$(digest qemu-s390x build-s390x/tools/puffsnode-sim "$@" || true)
		echo "i386 ${a:-none}, s390x ${b:-none}"
		if [ -z "$a" ] || [ -z "$b" ]; then
			echo "FAILED: no digest"
			fail=1
		elif [ "$a" != "$b" ]; then
			echo "FAILED: the digests differ"
			fail=1
		fi
		;;
	esac
	;;
esac

echo
if [ "$fail" -ne 0 ]; then
	echo "cross.sh: FAILED"
	exit 1
fi
echo "cross.sh: all passed"
