# lab.sh - the dockerd lab: sourced by tests/e2e/run.sh (after tests/lib.sh).
#
# Installs what it needs from Debian, starts containerd and dockerd when none
# runs (reusing one that does), and builds: an upstream namespace with
# dnsmasq on 198.51.100.53 joined to the host by a veth pair
# (198.51.100.1/24 on the host), a busybox image made with docker import, a
# user-defined network (only those get the embedded DNS at 127.0.0.11), and
# containers whose DNS is that dnsmasq.  No query can reach the host's own
# resolver: dnsmasq runs with --no-resolv and only static records, and every
# container and dockerd itself get --dns 198.51.100.53.  lab_down removes
# everything lab_up made and leaves a dockerd it did not start alone.

LAB_UP=nstrace-e2e-up
LAB_NET=nstrace-e2e-net
LAB_CTR=nstrace-e2e-ctr
LAB_LOCTR=nstrace-e2e-loopback
LAB_IMAGE=nstrace-busybox:e2e
LAB_VETH=nste2e0
LAB_STARTED_DOCKERD=""
LAB_RULES=""
LAB_DEPS="e2e" # package groups of scripts/deps.sh

lab_install() {
	sh scripts/deps.sh $LAB_DEPS
}

lab_daemons() {
	if pidof dockerd >/dev/null && docker info >/dev/null 2>&1; then
		return 0 # reuse: and leave it running afterwards
	fi
	if ! pidof containerd >/dev/null; then
		containerd >"$T/containerd.log" 2>&1 &
		LAB_STARTED_DOCKERD="$LAB_STARTED_DOCKERD $!"
		sleep 1
	fi
	dockerd --dns 198.51.100.53 >"$T/dockerd.log" 2>&1 &
	LAB_STARTED_DOCKERD="$! $LAB_STARTED_DOCKERD"
	i=0
	until docker info >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 60 ] && return 1
		sleep 0.5
	done
}

lab_upstream() {
	ip netns add $LAB_UP || return 1
	echo $LAB_UP >>"$T/netns.made"
	ip link add $LAB_VETH type veth peer name ${LAB_VETH}u netns $LAB_UP || return 1
	ip addr add 198.51.100.1/24 dev $LAB_VETH
	ip link set $LAB_VETH up
	ip -n $LAB_UP addr add 198.51.100.53/24 dev ${LAB_VETH}u
	ip -n $LAB_UP link set ${LAB_VETH}u up
	ip -n $LAB_UP link set lo up
	ip -n $LAB_UP route add default via 198.51.100.1
	big=$(printf '%0200d' 0 | tr 0 t)
	ip netns exec $LAB_UP dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address=198.51.100.53 --port=53 \
		--user=root --group=root --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" \
		--local=/nstrace.test/ \
		--address=/ok.nstrace.test/198.51.100.10 --address=/ok.nstrace.test/2001:db8::10 \
		--ptr-record=10.100.51.198.in-addr.arpa,ok.nstrace.test \
		--txt-record=big.nstrace.test,"$big","$big","$big" &
	PIDS_STARTED="$PIDS_STARTED $!"
	i=0
	until dig +short +time=1 +tries=1 @198.51.100.53 ok.nstrace.test 2>/dev/null | grep -q 198.51.100.10; do
		i=$((i + 1))
		[ $i -gt 30 ] && return 1
		sleep 0.2
	done
}

lab_image() {
	docker image inspect $LAB_IMAGE >/dev/null 2>&1 && return 0
	mkdir -p "$T/img/bin" || return 1
	cp "$(command -v busybox)" "$T/img/bin/busybox"
	for l in sh nslookup sleep cat; do ln -s busybox "$T/img/bin/$l"; done
	tar -C "$T/img" -cf "$T/img.tar" . && docker import "$T/img.tar" $LAB_IMAGE >/dev/null
}

lab_containers() {
	docker network create $LAB_NET >/dev/null || return 1
	docker run -d --name $LAB_CTR --network $LAB_NET --dns 198.51.100.53 $LAB_IMAGE sleep 3600 >/dev/null &&
	docker run -d --name $LAB_LOCTR --network $LAB_NET --dns 127.0.0.53 $LAB_IMAGE sleep 3600 >/dev/null
}

lab_up() {
	lab_install || { echo "e2e: package install failed" >&2; return 1; }
	lab_daemons || { echo "e2e: dockerd did not start (see $T/dockerd.log)" >&2; return 1; }
	lab_down_quiet
	lab_upstream || { echo "e2e: upstream namespace/dnsmasq failed" >&2; return 1; }
	lab_image || { echo "e2e: docker import failed" >&2; return 1; }
	lab_containers || { echo "e2e: containers failed to start" >&2; return 1; }
}

# iptables rules in the host's forwarding path, removed by lab_down
lab_rule() {
	iptables -I DOCKER-USER "$@" && LAB_RULES="$LAB_RULES|$*"
}

lab_unrule() {
	iptables -D DOCKER-USER "$@" 2>/dev/null
	LAB_RULES=$(echo "$LAB_RULES" | sed "s#|$*##")
}

lab_down_quiet() { # leftovers of an interrupted earlier run
	docker rm -f $LAB_CTR $LAB_LOCTR >/dev/null 2>&1
	docker network rm $LAB_NET >/dev/null 2>&1
	ip netns del $LAB_UP 2>/dev/null
	ip link del $LAB_VETH 2>/dev/null
	return 0
}

lab_down() {
	old=$IFS
	IFS='|'
	for r in $LAB_RULES; do
		[ -n "$r" ] && IFS=$old && iptables -D DOCKER-USER $r 2>/dev/null
		IFS='|'
	done
	IFS=$old
	lab_down_quiet
	docker image rm $LAB_IMAGE >/dev/null 2>&1
	for p in $LAB_STARTED_DOCKERD; do
		kill "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	done
}
