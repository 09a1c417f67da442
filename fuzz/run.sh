#!/bin/sh
# run.sh - every libFuzzer harness (make fuzz): first over its regression
# corpus (fuzz/corpus/NAME, plus seeds made from fixtures/), each input
# once; then a bounded fuzz run of FUZZ_SECONDS (default 20) with ASan and
# UBSan.  A crash is a FAIL; its input is kept in build/fuzz/crash/NAME/
# (add it to fuzz/corpus/NAME once fixed).
cd "$(dirname "$0")/.." || exit 2
secs=${FUZZ_SECONDS:-20}
seeds=build/fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds"

# Seeds from the fixtures: each kind of input the harnesses read.
mk() { mkdir -p "$seeds/$1"; }
mk strace_line; mk strace_file; mk recording; mk expect; mk dns; mk sockaddr; mk docker_json; mk symbols
mk iptables; mk nft; mk netlink; mk gopclntab; mk dnspcap; mk strace_str; mk dockerd_cmdline; mk diagnose
for f in fixtures/*.strace; do
	head -c 65536 "$f" >"$seeds/strace_file/$(basename "$f")"
	awk -v d="$seeds/strace_line" -v b="$(basename "$f")" \
		'NR % 7 == 1 && NR < 3000 { f = d "/" b "." NR; print > f; close(f) }' "$f"
done
for f in fixtures/*.jsonl; do
	head -n 150 "$f" >"$seeds/recording/$(basename "$f")"
	# the DNS payloads recorded in them, as raw bytes
	head -n 400 "$f" | jq -r 'select(.payload != null and .payload != "") | .payload' 2>/dev/null |
		head -n 40 | awk -v d="$seeds/dns" -v b="$(basename "$f")" '{ print > (d "/" b "." NR); close(d "/" b "." NR) }'
done
for f in "$seeds"/dns/*; do
	[ -f "$f" ] && perl -e 'local $/; $_ = <STDIN>; s/\s//g; print pack("H*", $_)' <"$f" >"$f.bin" && rm -f "$f"
done
cp fixtures/*.expect.json "$seeds/expect/" 2>/dev/null
for f in build/progs/fp_stack build/progs/dns_client; do
	[ -f "$f" ] && cp "$f" "$seeds/symbols/"
done
cp "$seeds"/recording/* "$seeds/dnspcap/"
# quoted strings of the logs, as strace prints them (-x, -xx among them)
for f in fixtures/*.strace; do
	grep -o '"[^"]*"' "$f" | head -n 40 | awk -v d="$seeds/strace_str" -v b="$(basename "$f")" \
		'{ f = d "/" b "." NR; printf "%s", $0 > f; close(f) }'
done
printf '"\\x00\\x01\\xff\\x7f"' >"$seeds/strace_str/xx"
printf '"\\0\\1\\377\\n\\t\\\\\\"x"...' >"$seeds/strace_str/octal-cut"
# dockerd command lines as /proc/PID/cmdline holds them
printf 'dockerd\0-H\0unix:///run/docker.sock\0' >"$seeds/dockerd_cmdline/unix"
printf '/usr/bin/dockerd\0--host=fd://\0--host\0tcp://127.0.0.1:2375\0' >"$seeds/dockerd_cmdline/fd-then-tcp"
printf 'dockerd\0-Hunix:///x.sock\0--containerd=/run/containerd/containerd.sock\0' >"$seeds/dockerd_cmdline/joined"
# .gopclntab of the Go programs the machine has (dockerd, containerd)
for f in /usr/sbin/dockerd /usr/bin/containerd; do
	[ -f "$f" ] && objcopy -O binary --only-section=.gopclntab "$f" "$seeds/gopclntab/$(basename "$f").full" 2>/dev/null &&
		head -c 65536 "$seeds/gopclntab/$(basename "$f").full" >"$seeds/gopclntab/$(basename "$f")" &&
		rm -f "$seeds/gopclntab/$(basename "$f").full"
done
# real firewall readings: a namespace of its own with Docker-shaped
# iptables rules and a native nft table, read by the tools themselves
fwns=nst-fuzz-$$
if ip netns add "$fwns" 2>/dev/null; then
	ip netns exec "$fwns" iptables-restore <<-EOF 2>/dev/null
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD DROP [0:0]
	:OUTPUT ACCEPT [0:0]
	:DOCKER-USER - [0:0]
	-A FORWARD -j DOCKER-USER
	-A DOCKER-USER -p udp -m udp --dport 53 -m comment --comment "lab" -j REJECT --reject-with icmp-port-unreachable
	-A OUTPUT -d 198.51.100.53/32 -p udp -m multiport --dports 53,853 -j DROP
	-A OUTPUT -d 198.51.100.53/32 -p udp -m multiport --dports 53,853 -j DROP
	COMMIT
	*nat
	:PREROUTING ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41287
	COMMIT
	EOF
	ip netns exec "$fwns" nft -f - <<-EOF 2>/dev/null
	table inet lab {
		chain out { type filter hook output priority 0; policy accept; udp dport { 53, 853 } counter jump sub; }
		chain sub { ip daddr 198.51.100.0/24 counter reject with icmp port-unreachable; tcp dport 1-1024 counter drop; }
	}
	EOF
	ip netns exec "$fwns" iptables-save -c >"$seeds/iptables/recorded" 2>/dev/null
	ip netns exec "$fwns" ip6tables-save -c >"$seeds/iptables/recorded6" 2>/dev/null
	ip netns exec "$fwns" nft -j list ruleset >"$seeds/nft/recorded" 2>/dev/null
	ip netns del "$fwns"
fi

for h in build/fuzz/fuzz_*; do
	name=${h#build/fuzz/fuzz_}
	corpus=fuzz/corpus/$name
	work=build/fuzz/work/$name
	crash=build/fuzz/crash/$name
	mkdir -p "$corpus" "$work" "$crash"
	case $name in
	strace_*) dict=fuzz/strace.dict ;;
	recording|expect|docker_json|dnspcap) dict=fuzz/json.dict ;;
	iptables|nft) dict=fuzz/firewall.dict ;;
	*) dict= ;;
	esac
	if "$h" -runs=0 "$corpus" "$seeds/$name" >build/fuzz/$name.replay.log 2>&1; then
		n=$(ls "$corpus" "$seeds/$name" | grep -vc ':$')
		echo "PASS: fuzz $name: its regression corpus and fixture seeds ($n inputs) run clean under ASan+UBSan"
	else
		echo "FAIL: fuzz $name: an input of its corpus crashes (build/fuzz/$name.replay.log)"
		grep -m3 'ERROR\|runtime error' build/fuzz/$name.replay.log
	fi
	if "$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
		${dict:+-dict=$dict} -artifact_prefix="$crash/" "$work" "$corpus" "$seeds/$name" \
		>build/fuzz/$name.log 2>&1; then
		echo "PASS: fuzz $name: ${secs} s of libFuzzer found no crash, leak, hang or UB"
	else
		echo "FAIL: fuzz $name: libFuzzer found a failure in ${secs} s (input kept in $crash/)"
		grep -m3 'ERROR\|runtime error\|Test unit written' build/fuzz/$name.log
	fi
done
