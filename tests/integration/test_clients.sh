#!/bin/sh
# The client matrix: each real resolver client, in the lab's "container"
# namespace, under each failure shape, traced live (ptrace and BPF) and
# read back from the strace logs of the same runs (-f -tt -yy, and plain
# -f as people paste them).  Each check asserts the result the client
# really had: a REJECT the client heard is never a timeout, a DROP is never
# refused, and the four ways of looking agree.
#
# What a client hears is the kernel's: a connected UDP socket hears a
# port-unreachable; a host-unreachable only with IP_RECVERR (glibc sets it,
# the others do not); an unconnected socket (musl's) hears nothing, so for
# musl a REJECT really is a wait that times out, and nstrace must say that
# a REJECT looks the same as a DROP to it.
. tests/lib.sh

dns_lab_up || { fail "clients: could not set up namespaces and dnsmasq"; exit 0; }
ip -n "$UP" addr add 198.51.100.54/24 dev "nstu$$"
# ok.nstrace.test's address answers (a RST: nothing listens), so that curl
# ends at once; and every REJECT is answered (the kernel rate-limits ICMP
# errors: a burst of runs would see them vanish, a DROP)
ip -n "$UP" addr add 198.51.100.10/24 dev "nstu$$"
ip netns exec "$UP" sysctl -qw net.ipv4.icmp_ratelimit=0
IN="ip netns exec $CTR"
RC=/etc/netns/$CTR/resolv.conf
mkdir -p "/etc/netns/$CTR"
trap 'rm -rf "/etc/netns/$CTR"; cleanup' EXIT INT TERM HUP PIPE
SRV="" # the misbehaving server of the tc and drop-aaaa shapes

# name|command|traits: g = glibc (IP_RECVERR: hears host-unreachable), u =
# unconnected UDP (hears no ICMP error), 6 = asks AAAA, p = sends A and
# AAAA together on one socket, t = retries over TCP after TC, s = walks the
# search list
CLIENTS="getent|getent ahosts ok.nstrace.test|g6pts
python|/usr/bin/python3 tests/clients/gai.py ok.nstrace.test|g6pts
curl|curl -s -m 8 -o /dev/null http://ok.nstrace.test/|g6pts
glibc|build/clients/gai_glibc ok.nstrace.test|g6pts
musl|build/clients/gai_musl ok.nstrace.test|u6ps
go|env GODEBUG=netdns=go build/clients/resolve_go ok.nstrace.test|6ts
c-ares|node tests/clients/res4.js ok.nstrace.test|t
dig|dig +tries=1 +time=1 ok.nstrace.test|t
busybox|busybox nslookup ok.nstrace.test|6p"
SHAPES="ok rej hostun drop out ndots tc aaaa"
# The sanitized build runs a third of the matrix: every shape, every way of
# looking, for a glibc, a musl and a Go client (it is several times slower)
case $NST in *asan*) CLIENTS=$(echo "$CLIENTS" | grep -E '^(glibc|musl|go)\|') ;; esac
# CLIENTS_ONLY="glibc|go": those alone (a developer's run)
[ -n "${CLIENTS_ONLY:-}" ] && CLIENTS=$(echo "$CLIENTS" | grep -E "^($CLIENTS_ONLY)\\|")

shape_up() {
	ns=198.51.100.53 opts="options timeout:1 attempts:1" search=""
	case $1 in
	rej) ip netns exec "$UP" iptables -A INPUT -p udp --dport 53 -j REJECT ;;
	hostun) ip netns exec "$UP" iptables -A INPUT -p udp --dport 53 -j REJECT --reject-with icmp-host-unreachable ;;
	drop) ip netns exec "$UP" iptables -A INPUT -p udp --dport 53 -j DROP ;;
	out) $IN iptables -A OUTPUT -p udp --dport 53 -j REJECT ;;
	ndots) search="search s1.nstrace.test s2.nstrace.test" opts="options timeout:1 attempts:1 ndots:5" ;;
	tc | aaaa)
		ns=198.51.100.54
		ip netns exec "$UP" "$PROGS/dns_testsrv" "$([ "$1" = tc ] && echo tc || echo drop-aaaa)" 198.51.100.54 >"$T/srv.out" &
		SRV=$!
		PIDS_STARTED="$PIDS_STARTED $SRV"
		wait_for_line "$T/srv.out" listening ;;
	esac
	printf 'nameserver %s\n%s\n%s\n' "$ns" "$search" "$opts" >"$RC"
}

shape_down() {
	ip netns exec "$UP" iptables -F INPUT
	$IN iptables -F OUTPUT
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	SRV=""
}

# What one way of looking saw, as one line: the failure classes found
# (answered rows, refused/unreachable/rejected, timeout, blocked).
classes() { # jsonl
	jq -rs '[.[] | select(.type=="finding" and .severity=="error") | .id] | unique | join(",")' "$1"
}

# expect CLIENT TRAITS SHAPE FILE MODE: the findings fit what the client had.
expect() {
	c=$1 tr=$2 s=$3 f=$4 m=$5
	F() { echo "[.[] | select(.type==\"finding\" and .id==\"$1\")]"; }
	U='[.[] | select(.type=="summary")][0].upstreams'
	L='[.[] | select(.type=="summary")][0].program_lookups'
	has() { case $tr in *$1*) return 0 ;; esac; return 1; }
	case $s in
	ok | ndots)
		check "clients $c $s $m: answered, no error finding" \
			jq_true "$f" "([.[] | select(.type==\"finding\" and .severity==\"error\")] | length == 0) and ($U | map(.answered) | add) >= 1 and ($U | map(.timeout + .refused + .unreachable + .rejected) | add) == 0"
		check "clients $c $s $m: its lookup of ok.nstrace.test got records" \
			jq_true "$f" "$L | any(.name == \"ok.nstrace.test\" and .result == \"records\")"
		if [ "$s" = ndots ] && has s; then
			check "clients $c ndots $m: the search list was walked: one lookup, three names, dns-search-amplification" \
				jq_true "$f" "($U | map(.answered) | add) >= 3 and ($L | any(.name == \"ok.nstrace.test\" and (.names_tried | length) == 3 and .names_tried[2] == \"ok.nstrace.test\")) and ($(F dns-search-amplification) | length == 1 and .[0].severity == \"info\")"
		else
			check "clients $c $s $m: no search-list finding for a lookup of one name" \
				jq_true "$f" "$(F dns-search-amplification) | length == 0"
		fi ;;
	rej)
		if has u; then
			check "clients $c rej $m: an unconnected socket hears no ICMP error: a timeout that says a REJECT looks like a DROP" \
				jq_true "$f" "($(F dns-upstream-timeout) | length == 1 and (.[0].message | test(\"not connected\"))) and ($(F dns-upstream-refused) | length == 0)"
		else
			check "clients $c rej $m: refused or rejected, never a timeout" \
				jq_true "$f" "($(F dns-upstream-refused) | length == 1 and (.[0].result | test(\"^(refused|rejected)$\"))) and ($(F dns-upstream-timeout) | length == 0)"
		fi ;;
	hostun)
		if has g; then
			check "clients $c hostun $m: glibc hears the host-unreachable (IP_RECVERR): never a timeout" \
				jq_true "$f" "($(F dns-upstream-refused) + $(F dns-upstream-unreachable) | length == 1 and (.[0].result | test(\"^(unreachable|rejected)$\"))) and ($(F dns-upstream-timeout) | length == 0)"
		else
			check "clients $c hostun $m: a socket without IP_RECVERR never hears it: a timeout, never refused" \
				jq_true "$f" "($(F dns-upstream-timeout) | length == 1) and ($(F dns-upstream-refused) + $(F dns-upstream-unreachable) | length == 0)"
		fi ;;
	drop)
		check "clients $c drop $m: its lookup failed with a timeout" \
			jq_true "$f" "$L | any(.result == \"failed\" and .failure == \"timeout\")"
		check "clients $c drop $m: a timeout, never refused" \
			jq_true "$f" "($(F dns-upstream-timeout) | length == 1) and ($(F dns-upstream-refused) + $(F dns-upstream-unreachable) + $(F dns-upstream-blocked) | length == 0)" ;;
	out)
		check "clients $c out $m: an OUTPUT REJECT in its own netns is EPERM: blocked" \
			jq_true "$f" "($(F dns-upstream-blocked) | length == 1) and ($(F dns-upstream-timeout) | length == 0)" ;;
	tc)
		check "clients $c tc $m: a truncated answer is an answer, never a timeout" \
			jq_true "$f" "($(F dns-upstream-timeout) | length == 0) and ($U | map(select(.proto==\"udp\") | .answered) | add) >= 1"
		if has t; then
			check "clients $c tc $m: ... and the TCP retry was answered" \
				jq_true "$f" "($U | map(select(.proto==\"tcp\") | .answered) | add) >= 1"
		fi ;;
	aaaa)
		if has 6; then
			check "clients $c aaaa $m: the AAAA the server never answered is the timeout; the A was answered" \
				jq_true "$f" "($(F dns-upstream-timeout) | length == 1 and .[0].example.qtype == \"AAAA\") and ($U | map(.answered) | add) >= 1"
		fi
		if has p; then
			check "clients $c aaaa $m: A and AAAA sent together, one answered: dns-parallel-reply-lost (a warning)" \
				jq_true "$f" "$(F dns-parallel-reply-lost) | length == 1 and .[0].severity == \"warning\" and .[0].example.qtype == \"AAAA\""
		elif has 6; then
			check "clients $c aaaa $m: A and AAAA on sockets of their own: no parallel-reply pattern" \
				jq_true "$f" "$(F dns-parallel-reply-lost) | length == 0"
		else
			check "clients $c aaaa $m: it asks A only: answered, no finding" \
				jq_true "$f" "($(F dns-upstream-timeout) | length == 0) and ($U | map(.answered) | add) >= 1"
		fi ;;
	esac
}

# The BPF backend where the kernel takes it (tests/integration/test_bpf.sh
# says when it does not).
BPF=1
timeout 20 "$NST" --backend bpf --json -- true >/dev/null 2>&1 || BPF=0

echo "$CLIENTS" | while IFS='|' read -r c cmd tr; do
	bin=${cmd#env GODEBUG=netdns=go }
	bin=${bin%% *}
	if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "$bin" ]; then
		echo "SKIP: clients $c: $bin is not installed (scripts/deps.sh test)"
		continue
	fi
	for s in $SHAPES; do
		shape_up "$s"
		# shellcheck disable=SC2086 # cmd is a command line
		timeout 60 $IN "$NST" --json -- $cmd 2>/dev/null | grep '^{' >"$T/pt.jsonl"
		expect "$c" "$tr" "$s" "$T/pt.jsonl" ptrace
		modes="ptrace"
		if [ $BPF = 1 ]; then
			timeout 60 $IN "$NST" --backend bpf --json -- $cmd 2>/dev/null | grep '^{' >"$T/bpf.jsonl"
			expect "$c" "$tr" "$s" "$T/bpf.jsonl" bpf
			modes="$modes bpf"
		fi
		timeout 60 $IN strace -f -tt -yy -s 512 -o "$T/yy.log" $cmd >/dev/null 2>&1
		"$NST" replay --json "$T/yy.log" >"$T/yy.jsonl" 2>/dev/null
		expect "$c" "$tr" "$s" "$T/yy.jsonl" "strace -f -tt -yy"
		timeout 60 $IN strace -f -o "$T/plain.log" $cmd >/dev/null 2>&1
		"$NST" replay --json "$T/plain.log" >"$T/plain.jsonl" 2>/dev/null
		expect "$c" "$tr" "$s" "$T/plain.jsonl" "strace -f"
		want=$(classes "$T/pt.jsonl") same=true
		[ $BPF = 1 ] && [ "$(classes "$T/bpf.jsonl" | sed 's/dns-upstream-unreachable/dns-upstream-refused/')" != "$(echo "$want" | sed 's/dns-upstream-unreachable/dns-upstream-refused/')" ] && same=false
		[ "$(classes "$T/yy.jsonl")" != "$want" ] && same=false
		[ "$(classes "$T/plain.jsonl")" != "$want" ] && same=false
		check "clients $c $s: ptrace, BPF and both strace logs find the same failures ($want)" $same
		shape_down
	done
done
