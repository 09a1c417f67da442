#!/bin/sh
# nstrace diagnose on plain network namespaces (the DNS lab): the verdict,
# the cause and the exit status for a healthy server, one behind a REJECT,
# one behind a DROP, a loopback nameserver nothing answers on, a target
# named by pid and by ip netns name, and bad targets.  The resolv.conf is
# the target's own, read through its mount namespace (ip netns exec binds
# /etc/netns/NAME/resolv.conf there).
. tests/lib.sh

dns_lab_up || { fail "diagnose: lab setup"; exit 0; }
mkdir -p "/etc/netns/$CTR" && echo "$CTR" >"$T/etcnetns.made"
trap 'rm -rf "/etc/netns/$(cat "$T/etcnetns.made" 2>/dev/null)"; cleanup' EXIT INT TERM HUP PIPE
conf() { printf '%s\n' "$@" >"/etc/netns/$CTR/resolv.conf"; }
# a process of the target's, started after its file: its mount ns has it
sleeper() {
	bg ip netns exec "$CTR" sleep 60
	SPID=$BG
	sleep 0.2
}

D() { # NAME ARGS...: diagnose into $T/NAME.json, exit status in $T/NAME.rc
	nm=$1
	shift
	timeout 60 "$NST" diagnose --json --backend ptrace "$@" >"$T/$nm.json" 2>"$T/$nm.err"
	echo $? >"$T/$nm.rc"
}
rc() { [ "$(cat "$T/$1.rc")" = "$2" ]; }
N0='.names[0]'
jqo() { jq -e "$2" "$1" >/dev/null 2>&1; }

conf "nameserver 198.51.100.53" "options timeout:1"
sleeper
D ok "$SPID" ok.nstrace.test
check "diagnose ok: a healthy server resolves, exit 0" rc ok 0
check "diagnose ok: the verdict names the records and the server, the cause is null" \
	jqo "$T/ok.json" "$N0 | .resolved and .status == \"records\" and .server == \"198.51.100.53:53\" and .cause == null"
check "diagnose ok: the nameserver is remote, read from the target's own resolv.conf" \
	jqo "$T/ok.json" ".nameservers[0].kind == \"remote\" and (.resolv_conf | test(\"/proc/[0-9]+/root/etc/resolv.conf\"))"
if "$NST" --backend bpf -- true >/dev/null 2>&1; then
	timeout 60 "$NST" diagnose --json "$SPID" ok.nstrace.test >"$T/okb.json" 2>"$T/okb.err"; r=$?
	check "diagnose ok: the default backend (BPF here) gives the same verdict" \
		sh -c "[ $r = 0 ] && jq -e '$N0 | .resolved and .status == \"records\" and .slow == false and .passed_over == []' '$T/okb.json' >/dev/null"
fi
kill "$SPID"

ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -j REJECT
sleeper
D rej "$CTR" ok.nstrace.test
check "diagnose rej: a REJECT is a failure, exit 1" rc rej 1
check "diagnose rej: refused, never a timeout; the cause is the refused finding with its fix" \
	jqo "$T/rej.json" "$N0 | (.resolved | not) and .status == \"refused\" and .cause.id == \"dns-upstream-refused\" and (.fix | length > 0)"
check "diagnose rej: the ip netns name finds the netns's process and its resolv.conf" \
	jqo "$T/rej.json" ".target == \"$CTR\" and (.resolv_conf | test(\"/proc/[0-9]+/root\"))"
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -j REJECT
kill "$SPID"

ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -j DROP
sleeper
start=$(date +%s%N)
D drop "$SPID" ok.nstrace.test
ms=$((($(date +%s%N) - start) / 1000000))
check "diagnose drop: a DROP is a timeout, never refused, exit 1" \
	sh -c "[ \$(cat '$T/drop.rc') = 1 ] && jq -e '$N0 | .status == \"timeout\" and .cause.id == \"dns-upstream-timeout\"' '$T/drop.json' >/dev/null"
check "diagnose drop: it stops once the outcome is known, within the timeout + 3 s ($ms ms)" [ "$ms" -lt 4000 ]
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -j DROP
kill "$SPID"

conf "nameserver 127.0.0.53"
sleeper
D lo "$SPID" ok.nstrace.test
check "diagnose lo: a loopback nameserver nothing listens on is said at once, exit 1" \
	sh -c "[ \$(cat '$T/lo.rc') = 1 ] && jq -e '.nameservers[0].kind == \"loopback-none\" and ($N0 | .status == \"refused\")' '$T/lo.json' >/dev/null"
"$NST" diagnose --backend ptrace "$SPID" ok.nstrace.test >"$T/lo.txt" 2>&1
check "diagnose lo: the text's first line is the verdict, and a fix follows" \
	sh -c "head -1 '$T/lo.txt' | grep -q '^\[FAIL\] pid $SPID (sleep) cannot resolve ok.nstrace.test: its nameserver 127.0.0.53:53 is a loopback address' && sed -n 2p '$T/lo.txt' | grep -q '^  fix: '"
kill "$SPID"

"$NST" diagnose no-such-container-xyz >"$T/o" 2>"$T/e"; r=$?
check "diagnose: an unknown target is exit 2 naming it" sh -c "[ $r -eq 2 ] && grep -q 'no-such-container-xyz: no such container, pid or ip netns' '$T/e'"
"$NST" diagnose 999999999 >"$T/o" 2>"$T/e"; r=$?
check "diagnose: a pid that does not exist is exit 2" sh -c "[ $r -eq 2 ] && grep -q 'no such process' '$T/e'"
"$NST" diagnose >"$T/o" 2>"$T/e"; r=$?
check "diagnose: no target is a usage error" [ $r -eq 2 ]
"$NST" diagnose /etc/hostname >"$T/o" 2>"$T/e"; r=$?
check "diagnose: a path that is no network namespace is exit 2 saying so" sh -c "[ $r -eq 2 ] && grep -q 'not a network namespace file' '$T/e'"
