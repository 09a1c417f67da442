# lab.sh - the dockerd lab: sourced by tests/e2e/run.sh (after tests/lib.sh).
#
# LAB_DOCKER picks the daemon: 20 is Debian 12's docker.io 20.10 (the system
# dockerd, reused when one runs); 28 is Debian sid's docker.io 28.5, fetched
# as a .deb into the lab's temp dir and run beside Debian 12's containerd and
# runc, with its own data root, exec root, API socket and pidfile.  Two
# dockerds never run at once.
#
# Both get: an upstream namespace with dnsmasq on 198.51.100.53 joined to
# the host by a veth pair (198.51.100.1/24 on the host), a busybox image made
# with docker import, a user-defined network (only those get the embedded
# DNS at 127.0.0.11), and containers whose DNS is that dnsmasq.  No query can
# reach the machine's own resolver: dnsmasq runs with --no-resolv and only
# static records; the 20.10 dockerd and its containers get --dns
# 198.51.100.53; the 28.5 dockerd runs in a mount namespace of its own where
# /etc/resolv.conf names only 198.51.100.53, so that the containers without
# --dns forward from dockerd's own netns (28.x's host path) to the lab.
# lab_down removes everything lab_up made and leaves a dockerd it did not
# start alone.

LAB_UP=nstrace-e2e-up
LAB_NET=nstrace-e2e-net
LAB_CTR=nstrace-e2e-ctr
LAB_LOCTR=nstrace-e2e-loopback
LAB_IMAGE=nstrace-busybox:e2e
LAB_VETH=nste2e0
LAB_STARTED_DOCKERD=""
LAB_RULES=""
LAB_DEPS="e2e" # package groups of scripts/deps.sh
LAB_DOCKER=${LAB_DOCKER:-20}
LAB_HOSTCTR=nstrace-e2e-hostpath # 28.x: no --dns, the host's resolv.conf
LAB_INTNET=nstrace-e2e-internal
LAB_INTCTR=nstrace-e2e-internal-ctr
LAB_UNRCTR=nstrace-e2e-unreachable # --dns 198.18.0.53: the host has only an unreachable route
LAB_ROUTE_MADE=""
LAB_PID=""     # the dockerd under test
LAB_D28=""     # 28.x: its roots, socket, pidfile and .deb

lab_install() {
	sh scripts/deps.sh $LAB_DEPS
}

# dockerd leaves its chains, its FORWARD policy, docker0 and ip_forward
# behind when it stops.  A lab that starts one saves the host's firewall
# first and puts it back after.
lab_fw_save() {
	[ -f "$T/fw.saved" ] && return 0
	iptables-save >"$T/fw4" && ip6tables-save >"$T/fw6" || return 1
	sysctl -n net.ipv4.ip_forward >"$T/fw.fwd"
	ip link show docker0 >/dev/null 2>&1 && touch "$T/fw.docker0"
	touch "$T/fw.saved"
}

lab_fw_restore() {
	[ -f "$T/fw.saved" ] || return 0
	iptables-restore <"$T/fw4"
	ip6tables-restore <"$T/fw6"
	for t in raw mangle nat filter security; do # tables dockerd made: gone again
		grep -q "^\*$t" "$T/fw4" || nft delete table ip $t 2>/dev/null ||
			{ iptables -t $t -F; iptables -t $t -X; } 2>/dev/null
		grep -q "^\*$t" "$T/fw6" || nft delete table ip6 $t 2>/dev/null ||
			{ ip6tables -t $t -F; ip6tables -t $t -X; } 2>/dev/null
	done
	sysctl -qw net.ipv4.ip_forward="$(cat "$T/fw.fwd")"
	[ -f "$T/fw.docker0" ] || ip link del docker0 2>/dev/null
	rm -f "$T/fw.saved" "$T/fw.docker0"
}

lab_containerd() {
	pidof containerd >/dev/null && return 0
	containerd >"$T/containerd.log" 2>&1 &
	LAB_STARTED_DOCKERD="$LAB_STARTED_DOCKERD $!"
	sleep 1
}

lab_wait_api() {
	i=0
	until docker info >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 60 ] && return 1
		sleep 0.5
	done
}

lab_daemons() {
	[ "$LAB_DOCKER" = 28 ] && { lab_daemon28; return; }
	if pidof dockerd >/dev/null && docker info >/dev/null 2>&1; then
		LAB_PID=$(pidof dockerd)
		return 0 # reuse: and leave it running afterwards
	fi
	pidof dockerd >/dev/null && return 1 # another dockerd: never run two
	lab_fw_save || return 1
	lab_containerd
	dockerd --dns 198.51.100.53 >"$T/dockerd.log" 2>&1 &
	LAB_PID=$!
	LAB_STARTED_DOCKERD="$! $LAB_STARTED_DOCKERD"
	lab_wait_api
}

# Debian sid's docker.io 28.5, unpacked into $LAB_D28/root (deb_fetch)
lab_fetch28() {
	deb_fetch sid docker.io "$LAB_D28" && [ -x "$LAB_D28/root/usr/sbin/dockerd" ]
}

# The 28.5 dockerd in its own mount namespace, where /etc/resolv.conf names
# only the lab's upstream.  Its data and exec roots are shared bind mounts:
# the overlay rootfs and netns files it mounts there propagate back, for
# containerd, runc and nstrace to see.
lab_daemon28() {
	pidof dockerd >/dev/null && return 1 # another dockerd: never run two
	LAB_D28=$T/docker28
	mkdir -p "$LAB_D28/data" "$LAB_D28/exec" || return 1
	lab_fw_save || return 1
	lab_fetch28 || { echo "e2e: could not fetch docker.io 28.x from Debian sid" >&2; return 1; }
	echo "nameserver 198.51.100.53" >"$LAB_D28/resolv.conf"
	for x in data exec; do
		mount --bind "$LAB_D28/$x" "$LAB_D28/$x" && mount --make-shared "$LAB_D28/$x" || return 1
	done
	lab_containerd
	cat >"$LAB_D28/start.sh" <<'EOS'
set -e
mount --make-private / 2>/dev/null || true
if mountpoint -q /etc/resolv.conf; then mount --make-private /etc/resolv.conf; fi
mount --bind "$1/resolv.conf" /etc/resolv.conf
exec "$1/root/usr/sbin/dockerd" --data-root "$1/data" --exec-root "$1/exec" \
	-H "unix://$1/docker.sock" --pidfile "$1/dockerd.pid" \
	--userland-proxy-path "$1/root/usr/sbin/docker-proxy" \
	--containerd /run/containerd/containerd.sock
EOS
	unshare -m --propagation unchanged sh "$LAB_D28/start.sh" "$LAB_D28" >"$T/dockerd.log" 2>&1 &
	LAB_STARTED_DOCKERD="$! $LAB_STARTED_DOCKERD"
	export DOCKER_HOST="unix://$LAB_D28/docker.sock"
	lab_wait_api || return 1
	LAB_PID=$(cat "$LAB_D28/dockerd.pid")
}

# lab_upstream_ns NETNS VETH TAG: dnsmasq on 198.51.100.53 in NETNS (made
# here), joined to the host by VETH (198.51.100.1/24 on the host's end),
# answering once this returns.  The host reaches .53 by a /32 route of the
# veth's own: a route the host already has for the range (an unreachable
# one, put there as a safety net) must not take the lab's traffic.  The
# route goes with the veth.  On failure it says what the host saw.
lab_upstream_ns() {
	ns=$1 veth=$2 tag=$3
	ip netns add "$ns" || return 1
	echo "$ns" >>"$T/netns.made"
	ip link add "$veth" type veth peer name "${veth}u" netns "$ns" || return 1
	ip addr add 198.51.100.1/24 dev "$veth"
	ip link set "$veth" up
	ip route add 198.51.100.53/32 dev "$veth" src 198.51.100.1 || return 1
	ip -n "$ns" addr add 198.51.100.53/24 dev "${veth}u"
	ip -n "$ns" link set "${veth}u" up
	ip -n "$ns" link set lo up
	ip -n "$ns" route add default via 198.51.100.1
	big=$(printf '%0200d' 0 | tr 0 t)
	ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address=198.51.100.53 --port=53 \
		--user=root --group=root --pid-file="$T/$tag.pid" --log-facility="$T/$tag.log" \
		--local=/nstrace.test/ \
		--address=/ok.nstrace.test/198.51.100.10 --address=/ok.nstrace.test/2001:db8::10 \
		--ptr-record=10.100.51.198.in-addr.arpa,ok.nstrace.test \
		--txt-record=big.nstrace.test,"$big","$big","$big" &
	PIDS_STARTED="$PIDS_STARTED $!"
	i=0
	until dig +short +time=1 +tries=1 @198.51.100.53 ok.nstrace.test 2>/dev/null | grep -q 198.51.100.10; do
		i=$((i + 1))
		[ $i -gt 30 ] && { lab_upstream_why "$ns" "$tag"; return 1; }
		sleep 0.2
	done
}

lab_upstream_why() { # NETNS TAG: what the host saw, for the test log
	{
		echo "e2e: the host's route to 198.51.100.53: $(ip route get 198.51.100.53 2>&1)"
		echo "e2e: dnsmasq listening there: $(ip netns exec "$1" ss -Hlun 2>&1 | tr '\n' ' ')"
		echo "e2e: dnsmasq's log: $(tail -3 "$T/$2.log" 2>&1 | tr '\n' ' ')"
		echo "e2e: the host's INPUT and OUTPUT: $(iptables -S INPUT 2>&1 | head -5 | tr '\n' ' ')$(iptables -S OUTPUT 2>&1 | head -5 | tr '\n' ' ')"
	} >&2
}

lab_upstream() { lab_upstream_ns $LAB_UP $LAB_VETH dnsmasq; }

lab_image() {
	docker image inspect $LAB_IMAGE >/dev/null 2>&1 && return 0
	rm -rf "$T/img" && mkdir -p "$T/img/bin" || return 1
	cp "$(command -v busybox)" "$T/img/bin/busybox"
	for l in sh nslookup sleep cat; do ln -s busybox "$T/img/bin/$l"; done
	tar -C "$T/img" -cf "$T/img.tar" . && docker import "$T/img.tar" $LAB_IMAGE >/dev/null
}

# Both versions: a container with --dns 198.51.100.53, one whose --dns
# server is unreachable (198.18.0.53: the host routes 198.18.0.0/15 to
# "unreachable"), and one on an --internal network.  20.10: a loopback
# --dns 127.0.0.53.  28.x: a container on the host's resolv.conf (forwarded
# from dockerd's own netns), and a loopback upstream nothing listens on in
# any namespace.
lab_containers() {
	run="docker run -d --network $LAB_NET"
	docker network create $LAB_NET >/dev/null &&
	$run --name $LAB_CTR --dns 198.51.100.53 $LAB_IMAGE sleep 3600 >/dev/null &&
	$run --name $LAB_UNRCTR --dns 198.18.0.53 $LAB_IMAGE sleep 3600 >/dev/null &&
	docker network create --internal $LAB_INTNET >/dev/null &&
	docker run -d --name $LAB_INTCTR --network $LAB_INTNET $LAB_IMAGE sleep 3600 >/dev/null || return 1
	if [ "$LAB_DOCKER" = 20 ]; then
		$run --name $LAB_LOCTR --dns 127.0.0.53 $LAB_IMAGE sleep 3600 >/dev/null
		return
	fi
	$run --name $LAB_HOSTCTR $LAB_IMAGE sleep 3600 >/dev/null &&
	$run --name $LAB_LOCTR --dns 127.0.0.153 $LAB_IMAGE sleep 3600 >/dev/null
}

# 198.18.0.0/15 reaches nothing: an unreachable route (unless the host has
# a route of its own there), removed by lab_down
lab_route() {
	ip route show 198.18.0.0/15 | grep -q . && return 0
	ip route add unreachable 198.18.0.0/15 && LAB_ROUTE_MADE=1
}

lab_up() {
	lab_install || { echo "e2e: package install failed" >&2; return 1; }
	lab_daemons || { echo "e2e: dockerd did not start (see $T/dockerd.log)" >&2; return 1; }
	lab_down_quiet
	lab_upstream || { echo "e2e: upstream namespace/dnsmasq failed" >&2; return 1; }
	lab_route || { echo "e2e: could not add the unreachable route" >&2; return 1; }
	lab_image || { echo "e2e: docker import failed" >&2; return 1; }
	lab_containers || { echo "e2e: containers failed to start" >&2; return 1; }
}

# lab_rule_in CHAIN RULE...: an iptables rule on the host, removed by
# lab_unrule_in or lab_down; lab_rule RULE...: one in DOCKER-USER (the
# host's forwarding path)
lab_rule_in() {
	iptables -I "$@" && LAB_RULES="$LAB_RULES|$*"
}

lab_unrule_in() {
	iptables -D "$@" 2>/dev/null
	LAB_RULES=$(echo "$LAB_RULES" | sed "s#|$*##")
}

lab_rule() { lab_rule_in DOCKER-USER "$@"; }
lab_unrule() { lab_unrule_in DOCKER-USER "$@"; }

lab_down_quiet() { # leftovers of an interrupted earlier run
	docker rm -f $LAB_CTR $LAB_LOCTR $LAB_HOSTCTR $LAB_INTCTR $LAB_UNRCTR nstrace-e2e-bridge nstrace-e2e-bridge-lo >/dev/null 2>&1
	docker network rm $LAB_NET $LAB_INTNET >/dev/null 2>&1
	ip netns del $LAB_UP 2>/dev/null
	ip link del $LAB_VETH 2>/dev/null
	# diagnose.sh's plain netns
	ip netns del nstrace-e2e-plain 2>/dev/null
	ip link del nstpl0 2>/dev/null
	rm -rf /etc/netns/nstrace-e2e-plain
	return 0
}

lab_down() {
	old=$IFS
	IFS='|'
	for r in $LAB_RULES; do
		[ -n "$r" ] && IFS=$old && iptables -D $r 2>/dev/null
		IFS='|'
	done
	IFS=$old
	lab_down_quiet
	docker image rm $LAB_IMAGE >/dev/null 2>&1
	[ -n "$LAB_D28" ] && [ -f "$LAB_D28/dockerd.pid" ] && kill "$(cat "$LAB_D28/dockerd.pid")" 2>/dev/null
	for p in $LAB_STARTED_DOCKERD; do
		kill "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	done
	if [ -n "$LAB_D28" ]; then # its mounts, then its files
		for x in exec data; do
			umount -R "$LAB_D28/$x" 2>/dev/null || umount -R -l "$LAB_D28/$x" 2>/dev/null
		done
		rm -rf "$LAB_D28"
		unset DOCKER_HOST
	fi
	lab_fw_restore
	[ -n "$LAB_ROUTE_MADE" ] && ip route del unreachable 198.18.0.0/15 2>/dev/null
	LAB_ROUTE_MADE=""
	LAB_STARTED_DOCKERD=""
	LAB_D28=""
	LAB_PID=""
}
