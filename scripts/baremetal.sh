#!/bin/sh
# Bare-metal builds: the core (libpuffsnode.a) and the example host with
# no operating system (examples/baremetal) for microcontroller targets,
# each in its own build directory with a Meson cross file from cross/,
# and the host run under qemu-system with semihosting:
#   cortex-m3  arm-none-eabi-gcc      mps2-an385 (4 MB RAM, 1000 cookies),
#                                     lm3s6965evb (64 KB SRAM, 500 cookies)
#                                                         build-bm-cortex-m3/
#   cortex-m0  arm-none-eabi-gcc      microbit (nRF51, 16 KB RAM)
#                                                         build-bm-cortex-m0/
#   rv32imac   riscv64-unknown-elf-gcc  virt, -bios none  build-bm-rv32imac/
#   rv64imac   riscv64-unknown-elf-gcc  virt, -bios none  build-bm-rv64imac/
# Per target it checks the core's archive:
#   - its undefined symbols (those no member defines) are all on the
#     allowed list below: the four memory functions a compiler may emit
#     and the compiler's integer helpers (libgcc); never __atomic_* or
#     __sync_* (a library call standing in for an atomic)
#   - no member has writable data (.data, .bss or any other allocated,
#     writable section): the core keeps all its state in host memory
#   - clang compiles it warning-free too (cross/clang-baremetal.ini layered
#     on the target's cross file), with the same symbol and data checks;
#     not on Cortex-M0, where clang 14 inlines no atomic load or store
# and prints the core's size (text, which includes read-only data), then
# runs the host on each board: its one line (cookies, peak heap, bytes per
# node, peak stack) must say ok and qemu must exit 0 (the program's exit
# status, through semihosting) within the timeout.
#
# Usage: scripts/baremetal.sh [cortex-m3] [cortex-m0] [rv32imac] [rv64imac]
#        (default: all four)
# Exits non-zero on any failure.  PN_TEST_JOBS (default 2) sets ninja's
# parallelism, PN_BAREMETAL_TIMEOUT (default 60) the seconds per qemu run.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null

jobs=${PN_TEST_JOBS:-2}
limit=${PN_BAREMETAL_TIMEOUT:-60}
targets=${*:-cortex-m3 cortex-m0 rv32imac rv64imac}
fail=0
t00=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# What the core may leave undefined.  memcpy, memset, memcmp, memmove: a
# compiler may emit calls to them in any freestanding code.  The rest are
# the compiler's integer helpers (libgcc): 64-bit arithmetic, division
# and bit counts on 32-bit machines, and the Arm EABI's names for them
# and for the memory functions.
allowed="memcpy memset memcmp memmove
__ashldi3 __ashrdi3 __lshrdi3 __muldi3 __mulsi3 __divdi3 __udivdi3
__moddi3 __umoddi3 __udivmoddi4 __divmoddi4 __divsi3 __udivsi3 __modsi3
__umodsi3 __cmpdi2 __ucmpdi2 __clzsi2 __clzdi2 __ctzsi2 __ctzdi2
__ffssi2 __ffsdi2 __popcountsi2 __popcountdi2 __paritysi2 __paritydi2
__bswapsi2 __bswapdi2
__aeabi_lmul __aeabi_llsl __aeabi_llsr __aeabi_lasr __aeabi_lcmp
__aeabi_ulcmp __aeabi_ldivmod __aeabi_uldivmod __aeabi_idiv
__aeabi_uidiv __aeabi_idivmod __aeabi_uidivmod
__aeabi_memcpy __aeabi_memcpy4 __aeabi_memcpy8 __aeabi_memmove
__aeabi_memmove4 __aeabi_memmove8 __aeabi_memset __aeabi_memset4
__aeabi_memset8 __aeabi_memclr __aeabi_memclr4 __aeabi_memclr8"
allowed_words=$(echo "$allowed" | tr '\n' ' ')

# Run a command, showing the end of its output only when it fails.
quiet() {
	log=$tmp/quiet.log
	if "$@" >"$log" 2>&1; then
		return 0
	fi
	tail -n 40 "$log"
	echo "FAILED: $*"
	return 1
}

# setup DIR CROSSFILE...: configure a build directory once.
setup() {
	[ -f "$1/build.ninja" ] && return 0
	s_dir=$1
	shift
	n=$#
	for f; do
		set -- "$@" --cross-file "$f"
	done
	shift "$n"
	quiet meson setup "$s_dir" "$@" -Ddefault_library=static -Dtests=false \
	    -Dsim=false -Ddocs=false -Dfuse=disabled -Dbench=disabled
}

# undefined NM ARCHIVE: the symbols the archive uses and no member
# defines, one per line as "symbol member,member".
undefined() {
	# "archive:member: U sym" (or w, v: weak) has no address after the
	# member's name; a defined symbol has one.
	"$1" -A "$2" | awk '
		NF == 3 && $1 ~ /:$/ { m = $1; sub(/:$/, "", m); sub(/.*:/, "", m)
			if (!($NF in users)) users[$NF] = m
			else users[$NF] = users[$NF] "," m; next }
		NF == 3 { defined[$NF] = 1 }
		END { for (s in users) if (!(s in defined)) print s, users[s] }' |
	    sort
}

# check_core NAME NM OBJDUMP ARCHIVE: the symbol and writable-data checks.
# Sets $undef to the undefined symbols.  Returns 1 on a failure.
check_core() {
	c_name=$1 c_ok=0
	undefined "$2" "$4" >"$tmp/undef"
	undef=$(awk '{ printf "%s%s", sep, $1; sep = " " }' "$tmp/undef")
	while read -r sym users; do
		case $sym in
		__atomic_* | __sync_*)
			echo "FAILED: $c_name: the core calls $sym (in $users):" \
			    "an atomic the target cannot do inline"
			c_ok=1
			continue
			;;
		esac
		case " $allowed_words " in
		*" $sym "*) ;;
		*)
			echo "FAILED: $c_name: the core needs $sym (in $users)," \
			    "not on the allowed list"
			c_ok=1
			;;
		esac
	done <"$tmp/undef"
	# Allocated sections without READONLY are writable: RAM.
	"$3" -h "$4" | awk '
		/file format/ { m = $1; sub(/:$/, "", m) }
		$1 ~ /^[0-9]+$/ && NF >= 6 { s = $2; n = $3; getline
			if ($0 ~ /ALLOC/ && $0 !~ /READONLY/ && n !~ /^0+$/)
				print m, s, n }' >"$tmp/rw"
	while read -r member section bytes; do
		echo "FAILED: $c_name: $member has writable data: $section," \
		    "0x$bytes bytes"
		c_ok=1
	done <"$tmp/rw"
	return $c_ok
}

# board_run NAME BOARD ELF QEMU...: run one host under qemu.
board_run() {
	r_name=$1 r_board=$2 r_elf=$3
	shift 3
	out=$tmp/run.out
	rc=0
	timeout "$limit" "$@" -nographic -monitor none -serial none \
	    -semihosting-config enable=on,target=native -kernel "$r_elf" \
	    >"$out" 2>&1 </dev/null || rc=$?
	line=$(grep "^baremetal $r_board $r_name: " "$out" | tail -n 1 || true)
	if [ "$rc" -eq 0 ] && [ -n "$line" ] &&
	    [ "$(grep -c "^baremetal $r_board $r_name: ok: " "$out")" -eq 1 ]; then
		echo "  $line"
		return 0
	fi
	cat "$out"
	if [ "$rc" -eq 124 ]; then
		echo "FAILED: $r_name $r_board: no exit within $limit s"
	else
		echo "FAILED: $r_name $r_board: exit status $rc"
	fi
	return 1
}

# target NAME CROSSFILE TOOLPREFIX "BOARD:QEMU-COMMAND;..." [NO-CLANG-REASON]
target() {
	name=$1 ini=$2 tp=$3 boards=$4 noclang=${5:-}
	dir=build-bm-$name
	t0=$(date +%s)
	core=$dir/lib/libpuffsnode.a
	if ! setup "$dir" "$ini" || ! quiet ninja -C "$dir" -j "$jobs" \
	    lib/libpuffsnode.a; then
		echo "FAILED: $name: the core does not build"
		fail=1
		return 0
	fi
	check_core "$name" "$tp-nm" "$tp-objdump" "$core" || fail=1
	gcc_undef=$undef
	undef=
	size=$("$tp-size" -t "$core" |
	    awk 'END { print $1 " B (data " $2 ", bss " $3 ")" }')

	clang=ok
	cdir=$dir-clang
	if [ -n "$noclang" ]; then
		clang="not built: $noclang"
	elif ! setup "$cdir" "$ini" cross/clang-baremetal.ini ||
	    ! quiet ninja -C "$cdir" -j "$jobs" lib/libpuffsnode.a; then
		echo "FAILED: $name: clang does not build the core warning-free"
		clang=FAILED
		fail=1
	elif ! check_core "$name (clang)" "$tp-nm" "$tp-objdump" \
	    "$cdir/lib/libpuffsnode.a"; then
		clang=FAILED
		fail=1
	else
		clang="ok, text $("$tp-size" -t "$cdir/lib/libpuffsnode.a" |
		    awk 'END { print $1 }') B"
	fi
	echo "$name: core text $size; undefined: ${gcc_undef:-none};" \
	    "clang: $clang${undef:+; undefined: $undef}"

	if ! quiet ninja -C "$dir" -j "$jobs"; then
		echo "FAILED: $name: the example host does not build"
		fail=1
		return 0
	fi
	# Split the board list at ';' and each QEMU-COMMAND at blanks.
	old_ifs=$IFS
	IFS=';'
	# shellcheck disable=SC2086
	set -- $boards
	IFS=$old_ifs
	for b in "$@"; do
		board=${b%%:*}
		qemu=${b#*:}
		machine=$(echo "$qemu" | sed -n 's/.*-M \([^ ]*\).*/\1/p')
		if ! ${qemu%% *} -M help | grep -q "^$machine "; then
			echo "  $board: ${qemu%% *} has no machine $machine: not run"
			continue
		fi
		# shellcheck disable=SC2086
		board_run "$name" "$board" "$dir/examples/baremetal/baremetal-$board" \
		    $qemu || fail=1
	done
	echo "  ($name: $(($(date +%s) - t0)) s)"
}

for t in $targets; do
	case $t in
	cortex-m3)
		target cortex-m3 cross/arm-none-eabi-cortex-m3.ini arm-none-eabi \
		    "mps2-an385:qemu-system-arm -M mps2-an385;lm3s6965evb:qemu-system-arm -M lm3s6965evb"
		;;
	cortex-m0)
		target cortex-m0 cross/arm-none-eabi-cortex-m0.ini arm-none-eabi \
		    "microbit:qemu-system-arm -M microbit"
		;;
	rv32imac)
		target rv32imac cross/riscv32-unknown-elf.ini riscv64-unknown-elf \
		    "virt:qemu-system-riscv32 -M virt -bios none"
		;;
	rv64imac)
		target rv64imac cross/riscv64-unknown-elf.ini riscv64-unknown-elf \
		    "virt:qemu-system-riscv64 -M virt -bios none"
		;;
	*)
		echo "baremetal.sh: unknown target $t" \
		    "(cortex-m3, cortex-m0, rv32imac, rv64imac)" >&2
		exit 2
		;;
	esac
done

echo
if [ "$fail" -ne 0 ]; then
	echo "baremetal.sh: FAILED ($(($(date +%s) - t00)) s)"
	exit 1
fi
echo "baremetal.sh: all passed ($(($(date +%s) - t00)) s)"
