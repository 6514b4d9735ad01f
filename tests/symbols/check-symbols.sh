#!/bin/sh
# check-symbols.sh NM SHARED_LIB STATIC_LIB
#
# (a) libpuffsnode.so exports nothing but pn_* (and its version node).
# (b) The static core is freestanding: every symbol its members leave
#     undefined is defined by another member, except the compiler helpers
#     memcpy, memset, memcmp and memmove (and, on i386, the linker's
#     _GLOBAL_OFFSET_TABLE_).
set -eu

nm=$1
so=$2
ar=$3
status=0

exports=$("$nm" -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' |
    sed 's/@.*//' | sort -u)
if [ -z "$exports" ] || ! printf '%s\n' "$exports" | grep -q '^pn_'; then
	echo "no pn_ symbol exported by $so: wrong library?" >&2
	exit 1
fi
leaked=$(printf '%s\n' "$exports" | grep -v -e '^pn_' -e '^PUFFSNODE_1$' ||
    true)
if [ -n "$leaked" ]; then
	echo "exported but not pn_*:" >&2
	printf '  %s\n' $leaked >&2
	status=1
fi
echo "$(printf '%s\n' "$exports" | grep -c '^pn_') pn_ symbols exported"

defined=$("$nm" --defined-only "$ar" 2>/dev/null | awk 'NF >= 3 { print $3 }' |
    sort -u)
undefined=$("$nm" -u "$ar" 2>/dev/null | awk '$1 == "U" { print $2 }' |
    sort -u)
if [ -z "$defined" ]; then
	echo "nothing defined in $ar: wrong archive?" >&2
	exit 1
fi
foreign=$(printf '%s\n' "$undefined" | while read -r s; do
	[ -n "$s" ] || continue
	case $s in
	memcpy|memset|memcmp|memmove) continue ;;
	# Defined by the linker for position-independent code on i386.
	_GLOBAL_OFFSET_TABLE_) continue ;;
	esac
	printf '%s\n' "$defined" | grep -qx -- "$s" || echo "$s"
done)
if [ -n "$foreign" ]; then
	echo "the static core needs symbols from outside itself:" >&2
	printf '  %s\n' $foreign >&2
	status=1
fi
exit $status
