#!/bin/sh
# demo.sh - the main job on its built-in default: the seed article's
# failure, reproduced live and diagnosed.
#
# A "container" namespace and an "upstream" namespace with a real dnsmasq
# are made here (tests/lib.sh dns_lab_up) and removed afterwards; traffic
# never leaves them.  A program sends DNS queries the way dockerd's embedded
# resolver does (setns into the container, socket, connect, setns back,
# write).  nstrace runs it twice: healthy, then with a firewall REJECT on
# the container's DNS traffic, the article's eight-hour mystery.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
NST=build/nstrace
dns_lab_up || { echo "demo: could not set up the namespaces and dnsmasq" >&2; exit 1; }
C="build/progs/dns_client /run/netns/$CTR 198.51.100.53"

echo "=== 1. healthy: nstrace --events -- dns_client ... ok.nstrace.test (2 queries)"
"$NST" --events -- $C ok.nstrace.test 1 2

echo
echo "=== 2. the article's failure: a firewall REJECTs DNS from the container's address"
ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT
"$NST" -- $C 78.143.241.199.in-addr.arpa 12 2
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT
