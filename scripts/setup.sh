#!/bin/sh
# Fresh-machine set-up: install the Debian packages in scripts/deps.txt
# that are missing (as root; otherwise print the command to run), then
# configure and build the plain tree in build/.
set -eu
cd "$(dirname "$0")/.."

pkgs=$(grep -v '^[[:space:]]*#' scripts/deps.txt | grep -v '^[[:space:]]*$' | tr '\n' ' ')
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "setup: installing:$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	else
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
fi

if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null
echo "setup: build/ is ready"
