#!/bin/sh
# exports.sh NM SHARED_LIB [LIST]
#
# The symbols SHARED_LIB exports, one a line as nm prints them with their
# version node (pn_getvnode@@PUFFSNODE_1), sorted; the version nodes' own
# absolute symbols are left out.  Without LIST, print them.  With LIST,
# compare them with the committed list and print the difference: any
# symbol added, removed or moved to another version node fails.
#
# Change a list only on purpose, with scripts/abi-update.sh, under the
# rules of docs/versioning.md.
set -eu

nm=$1
so=$2
list=${3:-}

# --with-symbol-versions: binutils before 2.35 printed no versions by default.
raw=$("$nm" -D --defined-only --with-symbol-versions "$so" 2>/dev/null ||
    "$nm" -D --defined-only "$so")
exports=$(printf '%s\n' "$raw" |
    awk 'NF >= 3 && !($2 == "A" && $3 !~ /@/) { print $3 }' | LC_ALL=C sort -u)
if [ -z "$exports" ]; then
	echo "exports: nothing exported by $so: wrong library?" >&2
	exit 1
fi

if [ -z "$list" ]; then
	printf '%s\n' "$exports"
	exit 0
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/puffsnode-exports.XXXXXX")
trap 'rm -f "$tmp" "$tmp.diff"' EXIT
printf '%s\n' "$exports" >"$tmp"
if ! diff -u "$list" "$tmp" >"$tmp.diff" 2>&1; then
	echo "exports of $so differ from $list (- committed, + built):" >&2
	sed '1,2d' "$tmp.diff" >&2
	rm -f "$tmp.diff"
	echo "an ABI change: if it is meant, follow docs/versioning.md and run scripts/abi-update.sh" >&2
	exit 1
fi
rm -f "$tmp.diff"
echo "$(wc -l <"$tmp" | tr -d ' ') symbols exported by $(basename "$so"), as $(basename "$list") lists"
