#!/bin/sh
# The README's first command: set up, then run puffsnode-sim over a
# mirror of /usr with 2 threads and fewer vnodes than the tree has nodes,
# so that vnodes are reclaimed all the time, for 20 seconds; then print
# the report.  Extra arguments go to puffsnode-sim (e.g. --json).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
tree=${PN_DEMO_TREE:-/usr}
exec build/tools/puffsnode-sim --tree "$tree" --threads 2 \
    --maxvnodes 20000 --duration 20 --seed 1 "$@"
