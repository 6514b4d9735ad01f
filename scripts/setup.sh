#!/bin/sh
# Fresh-machine set-up: install the Debian packages in scripts/deps.txt
# that are missing (as root; otherwise print the commands to run), then
# configure and build the plain tree in build/.  An entry pkg:arch is a
# package of another architecture (Debian multiarch, for scripts/cross.sh):
# that architecture is added to dpkg first when it is not there yet.
# With package names as arguments (scripts/kernel.sh), setup.sh installs
# only those that are missing, in the same way, and builds nothing.
set -eu
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
	pkgs="$*"
else
	pkgs=$(grep -v '^[[:space:]]*#' scripts/deps.txt | grep -v '^[[:space:]]*$' | tr '\n' ' ')
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done

# Foreign architectures the missing packages need and dpkg lacks.
native=$(dpkg --print-architecture)
known=" $native $(dpkg --print-foreign-architectures | tr '\n' ' ') "
newarchs=""
for p in $missing; do
	case $p in
	*:*) a=${p##*:} ;;
	*) continue ;;
	esac
	case "$known$newarchs " in
	*" $a "*) ;;
	*) newarchs="$newarchs $a" ;;
	esac
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		for a in $newarchs; do
			echo "setup: adding architecture $a"
			dpkg --add-architecture "$a"
		done
		echo "setup: installing:$missing"
		# A mirror caught mid-sync can fail one index of one architecture;
		# the install below still fails if a package is really unavailable.
		apt-get update -qq ||
			echo "setup: apt-get update reported errors; installing from the lists at hand" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	else
		echo "setup: missing Debian packages:$missing" >&2
		cmd=""
		for a in $newarchs; do
			cmd="${cmd}sudo dpkg --add-architecture $a && "
		done
		echo "setup: run: ${cmd}sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
fi

if [ $# -gt 0 ]; then
	exit 0
fi
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null
echo "setup: build/ is ready"
