#!/bin/sh
# demo.sh - the main job on its built-in default: the seed article's
# pattern (setns -> socket -> connect -> setns back -> write), live, in a
# network namespace made here and removed afterwards.  Traffic stays on the
# namespace's own loopback.
cd "$(dirname "$0")/.." || exit 2
ns=nstrace-demo-$$
trap 'ip netns del $ns 2>/dev/null' EXIT INT TERM
ip netns add $ns && ip -n $ns link set lo up || exit 1
echo "== nstrace --events -- ns_pattern /run/netns/$ns 2"
echo "   (a thread enters $ns, makes a UDP socket to 127.0.0.1:53 there,"
echo "    goes back home, then writes a DNS query on it)"
echo
build/nstrace --events -- build/progs/ns_pattern /run/netns/$ns 2
