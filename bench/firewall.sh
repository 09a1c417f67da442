#!/bin/sh
# firewall.sh - reading a large firewall, as on a Kubernetes node in
# iptables mode: 50,000 REJECT rules in one chain, and 50,000 over 10,000
# chains, loaded by iptables-legacy, iptables-nft and native nft into a
# namespace of this script.  Per case, medians of 5 runs:
#  - the tool's own time to print its reading (iptables-save -c, nft -j);
#  - nstrace's share (build/bench/fwparse): both readings read in 64 KiB
#    pieces, their reach, their difference, and its peak RSS;
#  - `nstrace -- /bin/true` in that namespace, end to end (two readings
#    by the tools, and the trace).
# Prints a Markdown section.
cd "$(dirname "$0")/.." || exit 2
NST=${NST:-build/nstrace}
P=build/bench/fwparse
runs=5
ns=nst-bench-fw-$$
tmp=$(mktemp -d /tmp/nstrace-fw.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

med() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }
now_ms() { date +%s%3N; }

# ipt_rules N CHAINS: iptables-restore input (no counters: restored at 0)
ipt_rules() {
	awk -v n="$1" -v c="$2" 'BEGIN {
		print "*filter"; print ":INPUT ACCEPT [0:0]"; print ":FORWARD ACCEPT [0:0]"; print ":OUTPUT ACCEPT [0:0]"
		for (i = 0; i < c; i++) printf ":C%d - [0:0]\n", i
		for (i = 0; i < c; i++) printf "-A OUTPUT -j C%d\n", i
		for (i = 0; i < n; i++)
			printf "-A C%d -d 198.18.%d.%d/32 -p udp -m udp --dport 53 -m comment --comment \"svc-%d\" -j REJECT\n", i % c, int(i / 250) % 256, i % 250, i
		print "COMMIT" }'
}

# nft_rules N CHAINS: an nft -f script
nft_rules() {
	awk -v n="$1" -v c="$2" 'BEGIN {
		print "table inet bench {"
		printf "  chain out { type filter hook output priority 0; policy accept;"
		for (i = 0; i < c; i++) printf " jump c%d;", i
		print " }"
		for (k = 0; k < c; k++) {
			printf "  chain c%d {\n", k
			for (i = k; i < n; i += c)
				printf "    ip daddr 198.18.%d.%d udp dport 53 counter reject\n", int(i / 250) % 256, i % 250
			print "  }"
		}
		print "}" }'
}

echo "### Firewall readings at scale"
echo
echo "A namespace of 50,000 REJECT rules, read as nstrace reads it at attach and after detach. \"tool\": the time \`iptables-save -c\` or \`nft -j list ruleset\` takes to print (not nstrace's); \"nstrace\": reading both readings and comparing them (\`build/bench/fwparse\`, the code \`firewall/\` runs on the tools' output), with its peak RSS; \"end to end\": \`nstrace -- /bin/true\` in that namespace. Medians of $runs runs."
echo
echo "| rules | backend | tool ms | nstrace read ms | nstrace diff ms | nstrace RSS MiB | end to end s |"
echo "|---|---|---:|---:|---:|---:|---:|"
for shape in "50000 1" "50000 10000"; do
	set -- $shape
	n=$1 c=$2
	for be in legacy nft native; do
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns" || { echo "| $n in $c chains | $be | (no netns) | | | | |"; continue; }
		case $be in
		legacy) save="iptables-legacy-save -c"; fmt=iptables
			command -v iptables-legacy-restore >/dev/null || { echo "| $n in $c chains | $be | (not installed) | | | | |"; continue; }
			ipt_rules "$n" "$c" | ip netns exec "$ns" iptables-legacy-restore ;;
		nft) save="iptables-nft-save -c"; fmt=iptables
			ipt_rules "$n" "$c" | ip netns exec "$ns" iptables-nft-restore ;;
		native) save="nft -j list ruleset"; fmt=nft
			nft_rules "$n" "$c" >"$tmp/rules.nft" && ip netns exec "$ns" nft -f "$tmp/rules.nft" ;;
		esac
		: >"$tmp/tool" ; : >"$tmp/read" ; : >"$tmp/diff" ; : >"$tmp/rss" ; : >"$tmp/e2e"
		for r in $(seq $runs); do
			t0=$(now_ms)
			ip netns exec "$ns" $save >"$tmp/before" 2>/dev/null
			t1=$(now_ms)
			echo $((t1 - t0)) >>"$tmp/tool"
			ip netns exec "$ns" $save >"$tmp/after" 2>/dev/null
			set -- $($P $fmt "$tmp/before" "$tmp/after")
			awk -v a="$4" -v b="$5" 'BEGIN { print a + b }' >>"$tmp/read"
			echo "$7" >>"$tmp/diff"
			echo "${11}" >>"$tmp/rss"
			t0=$(now_ms)
			ip netns exec "$ns" "$NST" -- /bin/true >/dev/null 2>&1
			t1=$(now_ms)
			awk -v t="$((t1 - t0))" 'BEGIN { printf "%.2f\n", t / 1000 }' >>"$tmp/e2e"
		done
		printf '| %s in %s chain%s | %s | %s | %s | %s | %s | %s |\n' "$n" "$c" "$([ "$c" = 1 ] || echo s)" \
			"$be" "$(med <"$tmp/tool")" "$(med <"$tmp/read")" "$(med <"$tmp/diff")" \
			"$(awk -v k="$(med <"$tmp/rss")" 'BEGIN { printf "%.1f", k / 1024 }')" "$(med <"$tmp/e2e")"
		ip netns del "$ns"
	done
done
echo
echo "nstrace runs \`iptables-save\` as the machine has it (here the nft variant): rules a host keeps in the legacy backend as well are not read live; the legacy row measures the reader on that tool's output."
