#!/bin/bash
# Re-record the real dumps in this directory (many.bin, many-td.bin,
# v4v6.bin and their .expected files) in a private network namespace with
# loopback only. Needs root, ss (iproute2) and a tcpdoctor binary.
#   usage: tests/data/sockdiag/record.sh [TCPDOCTOR]   (default build/tcpdoctor)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
td=$(realpath "${1:-build/tcpdoctor}")
ns=td-fix-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" python3 "$dir/record.py" "$dir" "$ns" "$td"
