#!/bin/sh
# A program started in a netns by the standard tools (ip netns exec,
# nsenter) lives there: the tool's thread entered the netns and exec'd, so
# the netns is the program's home, and no netns-thread-stuck warning is
# due.  Each run must have traced its DNS (a finding about its queries),
# so a run that saw nothing cannot pass.  The resolver is 127.0.0.1 inside
# a netns with only loopback: nothing listens, nothing leaves.
. tests/lib.sh

ns=$(netns_new mv) || { fail "netns move: create netns"; exit 0; }
# ip netns exec bind-mounts /etc/netns/NS/resolv.conf in its own mount
# namespace: the host's resolver is never asked
[ -d /etc/netns ] || made_etc=1
mkdir -p "/etc/netns/$ns" && echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
trap 'rm -rf "/etc/netns/$ns"; [ -n "$made_etc" ] && rmdir /etc/netns 2>/dev/null; cleanup' EXIT INT TERM HUP PIPE

# traced_dns FILE: the run's JSON has a finding about a DNS query
traced_dns() { jq_true "$1" '[.[] | select(.type == "finding" and (.id | startswith("dns-upstream")))] | length > 0'; }
no_stuck() { jq_true "$1" '[.[] | select(.type == "finding" and .id == "netns-thread-stuck")] | length == 0'; }

timeout 60 "$NST" --json -- ip netns exec "$ns" getent hosts nstrace-test.invalid >"$T/ipx.json" 2>"$T/ipx.err"
check "netns move: ip netns exec NS getent: its glibc lookup was traced" traced_dns "$T/ipx.json"
check "netns move: ip netns exec NS getent: no netns-thread-stuck (the program lives in NS)" no_stuck "$T/ipx.json"

timeout 60 "$NST" --json -- nsenter "--net=/run/netns/$ns" "$PROGS/dns_client" "/run/netns/$ns" 127.0.0.1 \
	nstrace-test.invalid A 2 >"$T/nse.json" 2>"$T/nse.err"
check "netns move: nsenter --net: the client's queries were traced" traced_dns "$T/nse.json"
check "netns move: nsenter --net: no netns-thread-stuck (the program lives in NS)" no_stuck "$T/nse.json"
