#!/bin/sh
# puffsnode in a Linux kernel: build kernel/linux/ (the core's lib/*.c and
# a host on kernel services) as a module against the installed Debian
# kernel headers, boot that kernel under qemu (TCG, 2 CPUs, 512 MiB) with
# a busybox initramfs that loads the module, whose self-test runs at load,
# and check the result.  Prints the guest kernel's version line and the
# self-test's result line; exits 0 only on PASS with no kernel warning.
#
# Missing packages (the kernel section of scripts/deps.txt) are installed
# by scripts/setup.sh: as root with apt-get, otherwise it prints the
# command to run.  Everything is built in build-kernel/.
#
# Environment: PN_KMOD_ARGS  module parameters (cookies=, threads=,
#                            newnodes=; modinfo puffsnode.ko lists them)
#              PN_KERNEL_TIMEOUT  seconds the guest may run (default 300)
#              KCFLAGS       extra compiler flags for Kbuild, e.g.
#                            -DPN_ATOMICS_PORTABLE for the portable atomics
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/build-kernel

# ---- packages ----
pkgs=$(awk '/^# The kernel host/ { f = 1; next }
	f == 1 && /^#/ { next }
	f && /^[^#[:space:]]/ { f = 2; print; next }
	f == 2 { exit }' scripts/deps.txt | tr '\n' ' ')
if [ -z "$pkgs" ]; then
	echo "kernel: no kernel section in scripts/deps.txt" >&2
	exit 1
fi
# shellcheck disable=SC2086
./scripts/setup.sh $pkgs

# ---- the kernel: the newest version with both image and headers ----
kver=$(for d in /usr/src/linux-headers-*-amd64; do
	v=${d#/usr/src/linux-headers-}
	if [ -f "$d/Makefile" ] && [ -f "/boot/vmlinuz-$v" ]; then
		echo "$v"
	fi
done | sort -V | tail -n 1)
if [ -z "$kver" ]; then
	echo "kernel: no /usr/src/linux-headers-*-amd64 with a matching /boot/vmlinuz-*" >&2
	exit 1
fi
kdir=/usr/src/linux-headers-$kver
vmlinuz=/boot/vmlinuz-$kver
if [ ! -r "$vmlinuz" ]; then
	echo "kernel: $vmlinuz is not readable (run as root, or chmod o+r it)" >&2
	exit 1
fi

# ---- the module, in a copy of the tree (no objects in the sources) ----
tree=$out/tree
rm -rf "$tree"
mkdir -p "$tree/kernel"
cp -R lib include "$tree/"
cp -R kernel/linux "$tree/kernel/"
echo "kernel: building puffsnode.ko against $kdir"
if ! nice -n 10 make -s -j"$(nproc)" -C "$kdir" M="$tree/kernel/linux" \
    modules >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "kernel: module build failed" >&2
	exit 1
fi
# The compiler runs with -Werror; objtool and modpost must be quiet too.
if grep -v "^Skipping BTF generation" "$out/build.log" >&2; then
	echo "kernel: the module build warned (above)" >&2
	exit 1
fi
ko=$tree/kernel/linux/puffsnode.ko

# ---- the initramfs: busybox, the module, /init ----
ird=$out/initramfs
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/dev" "$ird/proc" "$ird/sys"
cp /bin/busybox "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
cp "$ko" "$ird/puffsnode.ko"
cat >"$ird/init" <<EOF
#!/bin/sh
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox insmod /puffsnode.ko ${PN_KMOD_ARGS:-}
echo "guest: insmod exit \$?"
busybox rmmod puffsnode
echo "guest: rmmod exit \$?"
echo "guest: kernel log follows"
busybox dmesg
busybox poweroff -f
EOF
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc -R 0:0 --quiet) >"$out/initramfs.cpio"

# ---- boot ----
log=$out/console.log
echo "kernel: booting $vmlinuz under qemu (TCG)"
rc=0
timeout "${PN_KERNEL_TIMEOUT:-300}" qemu-system-x86_64 -accel tcg \
    -m 512M -smp 2 -nographic -no-reboot \
    -kernel "$vmlinuz" -initrd "$out/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=6" \
    </dev/null >"$log" 2>&1 || rc=$?

# ---- verdict ----
fail=""
version=$(grep -m1 -o 'Linux version .*' "$log" | tr -d '\r' || true)
result=$(grep -m1 -o 'puffsnode: selftest [A-Z][A-Z]*:.*' "$log" |
    tr -d '\r' || true)
echo "kernel: ${version:-no Linux version line}"
echo "kernel: ${result:-no self-test result line}"
if [ "$rc" -eq 124 ]; then
	fail="$fail; the guest did not power off within ${PN_KERNEL_TIMEOUT:-300} s"
elif [ "$rc" -ne 0 ]; then
	fail="$fail; qemu exited with $rc"
fi
case $result in
"puffsnode: selftest PASS:"*) ;;
*) fail="$fail; the self-test did not pass" ;;
esac
grep -q '^guest: insmod exit 0' "$log" || fail="$fail; insmod failed"
grep -q '^guest: rmmod exit 0' "$log" || fail="$fail; rmmod failed"
if grep -E 'WARNING:|BUG:|Oops|lockdep|KASAN|Call Trace' "$log" >&2; then
	fail="$fail; the kernel warned (above)"
fi
if [ -n "$fail" ]; then
	echo "kernel: FAIL${fail}; console in $log" >&2
	exit 1
fi
echo "kernel: PASS (console in $log)"
