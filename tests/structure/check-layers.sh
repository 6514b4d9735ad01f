#!/bin/sh
# check-layers.sh SRCDIR NM ARCHIVE: the core's structure.
#  - the private headers of lib/ include one another without a cycle;
#  - its modules (one object each) call one another without a cycle:
#    an object that uses an internal pni_ symbol depends on the object
#    that defines it;
#  - one function changes node states: the state word is written in
#    pni_node_set_state only.
set -eu
src=$1 nm=$2 ar=$3
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Header graph: "included includer" pairs; tsort fails on a loop.
for h in "$src"/lib/*.h; do
	b=$(basename "$h")
	echo "$b $b"
	sed -n 's/^#include "\([^"]*\.h\)".*/\1/p' "$h" | while read -r inc; do
		echo "$inc $b"
	done
done >"$tmp"/headers.pairs
if ! tsort "$tmp"/headers.pairs >/dev/null 2>"$tmp"/tsort.err; then
	echo "lib/ headers include one another in a loop:"
	cat "$tmp"/tsort.err
	fail=1
fi

# Module graph from the archive: defined and undefined pni_ symbols.
"$nm" -A "$ar" 2>/dev/null | awk '
	{ split($1, a, ":"); obj = a[2]; sub(/:$/, "", obj) }
	$2 == "T" && $3 ~ /^pni_/ { def[$3] = obj }
	$2 == "U" && $3 ~ /^pni_/ { use[obj] = use[obj] " " $3 }
	END { for (o in use) { n = split(use[o], s, " ")
		for (i = 1; i <= n; i++) if (s[i] in def && def[s[i]] != o)
			print def[s[i]], o } }' | sort -u >"$tmp"/modules.pairs
if [ ! -s "$tmp"/modules.pairs ]; then
	echo "no module dependencies found in $ar"
	fail=1
elif ! tsort "$tmp"/modules.pairs >/dev/null 2>"$tmp"/tsort.err; then
	echo "lib/ modules call one another in a loop:"
	cat "$tmp"/tsort.err
	fail=1
fi

# The state word changes in one function: every store, compare-and-swap
# or other read-modify-write of a node's word is in pni_node_set_state.
writers=$(awk '
	/^[a-z_]+\(/ { fn = $0; sub(/\(.*/, "", fn) }
	/(pn_store|pn_cas32|pn_fetch_[a-z]+32)\(([^,()]*, *)?&pn->pn_word/ {
		print FILENAME ": " fn }' \
    "$src"/lib/*.c | sort | uniq -c)
outside=$(printf '%s\n' "$writers" | grep -v -e ' pni_node_set_state$' |
    grep -c . || true)
inset=$(printf '%s\n' "$writers" | grep -c ' pni_node_set_state$' || true)
if [ "$outside" -ne 0 ] || [ "$inset" -ne 1 ]; then
	echo "node states change outside pni_node_set_state:"
	printf '%s\n' "$writers"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "lib/: headers and modules without cycles, one state-changing function"
exit "$fail"
