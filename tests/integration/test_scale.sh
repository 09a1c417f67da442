#!/bin/sh
# Hosts at scale: nstrace attaches within 2 s, and its memory stays
# bounded, with
#  - 500 running containers to name (a Docker API of tests/progs/
#    fake_docker.c, each container a process in a cgroup of its own named
#    as dockerd names them, in a netns of its own): one API call for all;
#  - a traced process holding 100,000 sockets opened before the attach;
#  - 1,000 network namespaces on the host (ip netns).
. tests/lib.sh

dns_lab_up || { fail "scale: could not set up namespaces and dnsmasq"; exit 0; }
H=$PROGS/hostile

# wall PATH CMD...: run CMD, its wall time in ms into PATH
wall() {
	out=$1
	shift
	t0=$(date +%s%3N)
	"$@"
	rc=$?
	echo $(($(date +%s%3N) - t0)) >"$out"
	return $rc
}

# 1. 500 containers
# a cgroup hierarchy to make containers' cgroups in: v2, else v1's pids
cg=""
for root in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/pids; do
	[ -f "$root/cgroup.procs" ] && mkdir "$root/nst-scale-$$" 2>/dev/null && { cg=$root/nst-scale-$$; break; }
done
CPIDS=""
if [ -n "$cg" ]; then
	echo "$cg" >>"$T/cgroup.made"
	: >"$T/ids"
	for i in $(seq 0 499); do
		id=$(printf '%064x' $((i + 1)) | sed 's/^0/c/')
		echo "$id c$i" >>"$T/ids"
		mkdir "$cg/docker-$id.scope"
		# a container: a process of its own netns, in its cgroup
		sh -c "echo \$\$ > '$cg/docker-$id.scope/cgroup.procs' && exec unshare -n sleep 100" &
		CPIDS="$CPIDS $!"
	done
	PIDS_STARTED="$PIDS_STARTED $CPIDS"
	bg "$PROGS/fake_docker" "$T/docker.sock" "$T/ids" "$T/count" >"$T/fd.out"
	CPIDS="$CPIDS $BG"
	wait_for_line "$T/fd.out" ready
	# every container in its cgroup and netns
	i=0
	while [ "$(cat "$cg"/docker-*.scope/cgroup.procs 2>/dev/null | wc -l)" -lt 500 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	bg ip netns exec "$CTR" "$H" sockets 10 198.51.100.53 20 >"$T/q.out"
	CPIDS="$CPIDS $BG"
	wait_for_line "$T/q.out" ready
	DOCKER_HOST=unix://$T/docker.sock wall "$T/t.names" /usr/bin/time -f %M -o "$T/rss.names" \
		timeout 30 "$NST" --json --duration 0.5 --container c499 -p "$BG" >"$T/names.json" 2>"$T/names.err"
	rc=$?
	check "scale containers: 500 containers named, the last one selectable (exit $rc)" [ $rc -eq 0 ]
	check "scale containers: one API call for all 500 ($(cat "$T/count") list/inspect/other), before and after the trace" \
		[ "$(cat "$T/count")" = "2 0 0" ]
	check "scale containers: attached and traced within 2 s of starting ($(cat "$T/t.names") ms for a 0.5 s trace)" \
		[ "$(cat "$T/t.names")" -lt 2500 ]
	check "scale containers: nstrace's memory stays small ($(tail -n1 "$T/rss.names") KiB)" [ "$(tail -n1 "$T/rss.names")" -lt 65536 ]
	for p in $CPIDS; do kill "$p" 2>/dev/null; done
	for p in $CPIDS; do wait "$p" 2>/dev/null; done
	for d in "$cg"/*/; do rmdir "$d"; done
	rmdir "$cg"
else
	echo "SKIP: scale containers: no cgroup hierarchy to make container cgroups in"
fi

# 2. 100,000 sockets open before the attach (or as many as the hard
# RLIMIT_NOFILE allows, where nothing may raise it)
bg ip netns exec "$CTR" "$H" sockets 100000 198.51.100.53 20 >"$T/s.out"
spid=$BG
wait_for_line "$T/s.out" ready 300
ns=$(sed -n 's/^ready \([0-9]*\) sockets$/\1/p' "$T/s.out")
wall "$T/t.socks" /usr/bin/time -f %M -o "$T/rss.socks" \
	timeout 30 "$NST" --json --duration 0.5 -p "$spid" >"$T/socks.json" 2>"$T/socks.err"
rc=$?
check "scale sockets: attached to a process with ${ns:-?} sockets open and traced it (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && jq -e -s '[.[] | select(.type==\"summary\")][0] | .dns_queries_sent >= 2 and .upstreams[0].timeout == 0' '$T/socks.json' >/dev/null"
check "scale sockets: within 2 s of starting ($(cat "$T/t.socks") ms for a 0.5 s trace)" [ "$(cat "$T/t.socks")" -lt 2500 ]
check "scale sockets: nstrace's memory stays small ($(tail -n1 "$T/rss.socks") KiB)" [ "$(tail -n1 "$T/rss.socks")" -lt 65536 ]
check "scale sockets: the process goes on, untraced" alive_and_free "$spid"
kill "$spid"

# 3. 1,000 network namespaces on the host
i=0
while [ $i -lt 1000 ]; do
	netns_new "many$i" >/dev/null || break
	i=$((i + 1))
done
check "scale netns: 1,000 namespaces made ($i)" [ $i -eq 1000 ]
bg ip netns exec "$CTR" "$H" sockets 10 198.51.100.53 20 >"$T/n.out"
wait_for_line "$T/n.out" ready
wall "$T/t.ns" /usr/bin/time -f %M -o "$T/rss.ns" \
	timeout 30 "$NST" --json --duration 0.5 -p "$BG" >"$T/ns.json" 2>"$T/ns.err"
rc=$?
check "scale netns: attached and traced among 1,000 namespaces (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && jq -e -s '[.[] | select(.type==\"summary\")][0] | .dns_queries_sent >= 2' '$T/ns.json' >/dev/null"
check "scale netns: within 2 s of starting ($(cat "$T/t.ns") ms for a 0.5 s trace)" [ "$(cat "$T/t.ns")" -lt 2500 ]
check "scale netns: nstrace's memory stays small ($(tail -n1 "$T/rss.ns") KiB)" [ "$(tail -n1 "$T/rss.ns")" -lt 65536 ]
