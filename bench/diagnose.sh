#!/bin/sh
# diagnose.sh - time to the verdict of `nstrace diagnose` (a benchmark, not
# a test), on the DNS lab's plain netns: a healthy server, and one behind a
# DROP with the target's own timeout of 1 s.  The issue's budget: healthy
# <= 2 s; failing <= the resolver's own timeout + 2 s.  RUNS each, medians,
# both backends, in one run.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
NST=build/nstrace
. tests/lib.sh
. bench/lib.sh
dns_lab_up || { echo "diagnose bench: lab setup failed" >&2; exit 1; }
mkdir -p "/etc/netns/$CTR"
trap 'rm -rf "/etc/netns/$CTR"; cleanup' EXIT INT TERM
printf 'nameserver 198.51.100.53\noptions timeout:1\n' >"/etc/netns/$CTR/resolv.conf"
backends=ptrace
"$NST" --backend bpf -- true >/dev/null 2>&1 && backends="ptrace bpf"
for be in $backends; do
	: >"$T/ok.$be"
	: >"$T/drop.$be"
	for i in $(seq "$RUNS"); do
		ms_of "$NST" diagnose --backend $be "$CTR" ok.nstrace.test >>"$T/ok.$be"
	done
	ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -j DROP
	for i in $(seq "$RUNS"); do
		ms_of "$NST" diagnose --backend $be "$CTR" ok.nstrace.test >>"$T/drop.$be"
	done
	ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -j DROP
done
cat <<EOT
### Time to the verdict (nstrace diagnose)

\`nstrace diagnose NETNS ok.nstrace.test\` on the DNS lab (a plain netns,
dnsmasq in another), the target's resolv.conf with \`timeout:1\`.  Wall
time of the whole command (naming, resolv.conf, listeners, backend load,
probe, firewall readings before and after, report).  Median of $RUNS runs,
same run.  Budget: healthy <= 2000 ms; DROP <= 1000 + 2000 ms.

| backend | healthy | DROP (timeout 1 s) |
|---|---|---|
EOT
for be in $backends; do
	echo "| $be | $(median <"$T/ok.$be") ms | $(median <"$T/drop.$be") ms |"
done
