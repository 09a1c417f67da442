# podman.sh - nstrace diagnose against rootful Podman (Debian 12's podman,
# netavark and aardvark-dns), sourced by run.sh after the dockerd labs.
#
# A network of its own (aardvark-dns serves its gateway address from the
# host's netns) and a busybox container on it.  Podman runs in a mount
# namespace of its own where /etc/resolv.conf names only the lab's
# upstream (dnsmasq in a netns, 198.51.100.53), as the 28.5 lab does for
# dockerd: aardvark-dns, started by netavark from there, forwards to it and
# nowhere else.  Its Docker-compatible API (podman system service) names
# the containers.  Everything is removed after, the host's firewall put
# back as it was (netavark leaves its chains behind).
PUP=nstrace-e2e-pup
PVETH=nstpe0
PNET=nstrace-e2e-pnet
PCTR=nstrace-e2e-pctr
PIMG=localhost/nstrace-busybox:pe2e
PNS=""
PRUN_MADE=""
V="e2e podman"

podman_up() {
	lab_install >/dev/null 2>&1
	command -v podman >/dev/null && command -v nsenter >/dev/null || return 1
	lab_fw_save || return 1
	ip link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p' | sort >"$T/links.before"
	lab_upstream_ns $PUP $PVETH pdnsmasq || return 1
	echo "nameserver 198.51.100.53" >"$T/presolv.conf"
	unshare -m sh -c "mount --bind '$T/presolv.conf' /etc/resolv.conf && exec sleep 86400" &
	PNS=$!
	PIDS_STARTED="$PIDS_STARTED $PNS"
	sleep 0.3
	[ -d /run/podman ] || { mkdir -p /run/podman && PRUN_MADE=1; }
	P podman system service --time=0 unix:///run/podman/podman.sock >"$T/psvc.log" 2>&1 &
	PIDS_STARTED="$PIDS_STARTED $!"
	rm -rf "$T/pimg" && mkdir -p "$T/pimg/bin" && cp "$(command -v busybox)" "$T/pimg/bin/busybox" || return 1
	for l in sh nslookup sleep; do ln -s busybox "$T/pimg/bin/$l"; done
	tar -C "$T/pimg" -cf "$T/pimg.tar" . && PS import "$T/pimg.tar" $PIMG || return 1
	PS network create $PNET || return 1
	# low limits of its own: podman's defaults are above what a machine
	# without CAP_SYS_RESOURCE (a CI sandbox) may set
	PS run -d --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 --name $PCTR --network $PNET \
		$PIMG sleep 3600 || return 1
	i=0
	until [ -S /run/podman/podman.sock ] && P podman exec $PCTR nslookup ok.nstrace.test 2>&1 | grep -q 198.51.100.10; do
		i=$((i + 1))
		[ $i -gt 50 ] && {
			echo "e2e podman: nslookup in the container: $(P podman exec $PCTR nslookup ok.nstrace.test 2>&1 | tr '\n' ' ')" >&2
			return 1
		}
		sleep 0.2
	done
}

P() { nsenter -t "$PNS" -m "$@"; }
PS() { # a setup step: podman ARGS..., quiet unless it fails
	P podman "$@" >"$T/pstep.log" 2>&1 ||
		{ echo "e2e podman: podman $1 failed: $(tail -3 "$T/pstep.log" | tr '\n' ' ')" >&2; return 1; }
}

podman_down() {
	if [ -n "$PNS" ]; then
		P podman rm -f -t 0 $PCTR >/dev/null 2>&1
		P podman network rm $PNET >/dev/null 2>&1
		P podman image rm $PIMG >/dev/null 2>&1
	fi
	pkill -f "podman system service --time=0 unix:///run/podman/podman.sock" 2>/dev/null
	pkill -f "aardvark-dns --config /run/containers/networks/aardvark-dns" 2>/dev/null
	[ -n "$PNS" ] && kill "$PNS" 2>/dev/null
	[ -n "$PRUN_MADE" ] && rm -rf /run/podman
	ip netns del $PUP 2>/dev/null
	ip link del $PVETH 2>/dev/null
	# the bridges netavark made
	ip link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p' | sort >"$T/links.after"
	comm -13 "$T/links.before" "$T/links.after" 2>/dev/null | grep '^podman' | while read -r l; do ip link del "$l"; done
	lab_fw_restore
}

if ! podman_up; then
	echo "e2e podman: its API service said: $(tail -3 "$T/psvc.log" 2>&1 | tr '\n' ' ')" >&2
	skip "$V: podman could not be set up here; its scenarios skipped"
else
	dg pok $PCTR ok.nstrace.test
	check "$V healthy: resolved, exit 0; the container named through Podman's API" \
		sh -c "[ \"\$(cat '$T/dg-pok.rc')\" = 0 ] && jq -e '.resolved and .container.name == \"$PCTR\" and .container.kind == \"podman\"' '$T/dg-pok.json' >/dev/null"
	check "$V healthy: the first nameserver is the network's gateway, served by aardvark-dns in the host's netns" \
		dgok pok ".nameservers[0].kind == \"host\" and .nameservers[0].comm == \"aardvark-dns\""

	lab_rule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	dg porej $PCTR ok.nstrace.test
	lab_unrule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	check "$V output reject: never a clean bill: a failure, or resolved slowly past the failed gateway" \
		sh -c "rc=\$(cat '$T/dg-porej.rc'); [ \"\$rc\" = 1 ] || { [ \"\$rc\" = 0 ] && jq -e '.names[0].slow' '$T/dg-porej.json' >/dev/null; }"
	check "$V output reject: the cause is aardvark-dns's attempt from its own netns, blocked; the asking container named by its address" \
		dgok porej ".names[0].cause | .comm == \"aardvark-dns\" and .path == \"resolver\" and .result == \"blocked\" and .asking_container.name == \"$PCTR\""
	check "$V output reject: the OUTPUT rule is named, and no Docker advice is given" \
		dgok porej ".names[0] | (.cause.firewall | any(.chain == \"OUTPUT\")) and (.fix | test(\"[Dd]ocker\") | not) and (.cause.fix | test(\"[Dd]ocker\") | not)"

	# the container's own path to the upstream too (it crosses FORWARD)
	lab_rule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	lab_rule_in FORWARD -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	dg pall $PCTR ok.nstrace.test
	lab_unrule_in FORWARD -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	lab_unrule_in OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j REJECT
	check "$V both paths rejected: exit 1, not resolved" \
		sh -c "[ \"\$(cat '$T/dg-pall.rc')\" = 1 ] && jq -e '.resolved | not' '$T/dg-pall.json' >/dev/null"
fi
podman_down
