#!/bin/sh
# Same seed and thread count, same operations and outcomes: two runs of
# puffsnode-sim print the same workload digest; another seed does not.
set -eu
tool=$1
shift
# In a cross build meson runs the tool through its exe wrapper (qemu-user)
# and names the wrapper here; it may carry arguments.
wrapper=${MESON_EXE_WRAPPER:-}
digest() {
	$wrapper "$tool" --json --quiet "$@" | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p'
}
a=$(digest --seed 7 "$@")
b=$(digest --seed 7 "$@")
c=$(digest --seed 8 "$@")
echo "seed 7: $a, again: $b; seed 8: $c"
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ]
