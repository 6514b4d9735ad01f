#!/bin/sh
# check-coverage.sh NM LIBRARY MANDIR
#
# Fails unless every pn_* symbol defined in LIBRARY's dynamic symbol table
# is named by a .Nm line in one of MANDIR/*.3.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 nm library mandir" >&2
	exit 2
fi
nm=$1
lib=$2
mandir=$3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Symbol names, without any @VERSION or @@VERSION suffix.
"$nm" -D --defined-only "$lib" |
    awk '{ sub(/@.*/, "", $NF); if ($NF ~ /^pn_/) print $NF }' |
    sort -u >"$tmp/exported"
if [ ! -s "$tmp/exported" ]; then
	echo "$0: no pn_* symbols exported by $lib" >&2
	exit 1
fi

# Names from the .Nm lines of each page's NAME section (".Nm pn_foo ,").
for page in "$mandir"/*.3; do
	awk '
	    $1 == ".Sh" { insec = ($2 == "NAME"); next }
	    insec && $1 == ".Nm" {
		for (i = 2; i <= NF; i++) if ($i ~ /^pn_/) print $i
	    }' "$page"
done | sort -u >"$tmp/documented"

missing=$(comm -23 "$tmp/exported" "$tmp/documented")
if [ -n "$missing" ]; then
	echo "exported but not named by any .Nm in $mandir:" >&2
	echo "$missing" | sed 's/^/	/' >&2
	exit 1
fi
echo "$(wc -l <"$tmp/exported") exported pn_* symbols, all documented"
