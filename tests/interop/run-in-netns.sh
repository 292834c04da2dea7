#!/usr/bin/env bash
# tests/interop/run-in-netns.sh — run one command inside a fresh, private network namespace.
#
# Usage: run-in-netns.sh <command> [args...]
#
# Browsers gather no host candidate on a loopback-only view, and an interop test must never send
# traffic anywhere but addresses it created (docs: /work/shared/TESTING.md). So the namespace
# holds a veth pair with 10.77.0.1/24 and 10.77.0.2/24, lo up, and a default route via
# 10.77.0.2 (Chromium gathers nothing without one); nothing in it can reach the outside. The
# name is unique per run, and the namespace is deleted on every exit path, failure and signal
# included. Exits with the command's status. Needs root (ip netns).
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi
if ! command -v ip >/dev/null 2>&1; then
    echo "run-in-netns: 'ip' (iproute2) is missing; run scripts/bootstrap" >&2
    exit 1
fi

ns="ertc-$$-$RANDOM"
created=0

cleanup() {
    if [ "$created" = 1 ]; then
        # Processes still inside keep the namespace's veth alive; the test is over, end them.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -TERM "$pid" 2>/dev/null || true
        done
        ip netns del "$ns" 2>/dev/null || echo "run-in-netns: could not delete namespace $ns" >&2
        created=0
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ip netns add "$ns"
created=1
ip link add va netns "$ns" type veth peer name vb netns "$ns"
ip -n "$ns" addr add 10.77.0.1/24 dev va
ip -n "$ns" addr add 10.77.0.2/24 dev vb
ip -n "$ns" link set lo up
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
ip -n "$ns" route add default via 10.77.0.2 dev va

# In the background, so that a signal interrupts the wait and the traps run at once.
ip netns exec "$ns" "$@" &
status=0
wait $! || status=$?
exit "$status"
