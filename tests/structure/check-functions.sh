#!/bin/sh
# check-functions.sh SRCDIR: no function in lib/ or tools/ is longer
# than 80 lines.  Functions are written BSD style: the body opens with
# "{" and closes with "}" in column 0.
set -eu
cd "$1"
bad=$(find lib tools -name '*.c' | sort | while read -r f; do
	awk -v F="$f" '
		/^[A-Za-z_].*\(/ { name = $0 }
		/^\{/ { start = NR }
		/^\}/ && start { n = NR - start - 1
			if (n > 80) printf "%s: %s: %d lines\n", F, name, n
			start = 0 }' "$f"
done)
if [ -n "$bad" ]; then
	echo "functions over 80 lines:"
	echo "$bad"
	exit 1
fi
echo "no function over 80 lines in lib/ and tools/"
