#!/bin/sh
# The admin's toolbox: -w pcapng that tshark opens (replayed and live, with
# dig as the witness), --container on the forwarding and the asking side,
# --duration in fractions, and the summary's version.
. tests/lib.sh

command -v tshark >/dev/null || { fail "toolbox: tshark is not installed (scripts/deps.sh)"; exit 0; }
TS() { tshark -n -r "$@" 2>/dev/null; }
SUM='[.[] | select(.type=="summary")][0]'

# --- -w on replays: one packet per DNS message nstrace counted, all decoded
for fx in e2e-reject.jsonl e2e-tcp.jsonl e2e28-output-reject.jsonl e2e28-tcp-retry.jsonl \
	dockerd-reject-yy.strace strace4-form-unreachable.strace; do
	"$NST" replay --json -w "$T/$fx.pcapng" "fixtures/$fx" >"$T/$fx.json" 2>"$T/$fx.err"
	want=$(jq -s "$SUM | .dns_queries_sent + .dns_responses_received + .dns_queries_received + .dns_responses_sent" "$T/$fx.json")
	got=$(TS "$T/$fx.pcapng" -Y dns | wc -l)
	check "pcapng/$fx: tshark decodes as DNS one packet per message nstrace counted ($want)" \
		sh -c "[ '$want' -gt 0 ] && [ '$got' -eq '$want' ]"
	check "pcapng/$fx: every packet has a comment naming its pid, thread and netns" \
		sh -c "[ \"\$(tshark -n -r '$T/$fx.pcapng' -T fields -e frame.comment 2>/dev/null | grep -c 'pid [0-9].* tid [0-9]*: .*; netns ')\" -eq '$got' ]"
	check "pcapng/$fx: no packet is malformed" sh -c "! tshark -n -r '$T/$fx.pcapng' -Y _ws.malformed 2>/dev/null | grep -q ."
done
TS "$T/e2e-reject.jsonl.pcapng" -T fields -e frame.interface_name -e dns.flags.response -e frame.comment >"$T/rej.txt"
check "pcapng: interfaces are named after the container of their netns" \
	sh -c "cut -f1 '$T/rej.txt' | sort -u | grep -qx nstrace-e2e-ctr"
check "pcapng: the forwarded queries carry their findings (foreign netns, refused)" \
	grep -q "query sent 172.18.0.2:[0-9]* > 198.51.100.53:53 udp; .*finding: dns-foreign-netns, dns-upstream-refused" "$T/rej.txt"
check "pcapng: the container's own query carries dns-lookup-failed" \
	grep -q "query received 127.0.0.1:[0-9]* > 127.0.0.11:53 udp.*finding: dns-lookup-failed" "$T/rej.txt"
TS "$T/e2e28-output-reject.jsonl.pcapng" -T fields -e frame.interface_name -e frame.comment >"$T/o28.txt"
check "pcapng: 28.x's host-path attempt is on the host netns interface, for the asking container" \
	grep -q "EPERM.*for a lookup from .*nstrace-e2e-hostpath.*dns-upstream-blocked" "$T/o28.txt"
check "pcapng: one interface per netns (as many as netns in the comments)" \
	sh -c "[ \$(cut -f1 '$T/o28.txt' | sort -u | wc -l) -eq \$(sed 's/.*; netns \([^;]*\).*/\1/' '$T/o28.txt' | sort -u | wc -l) ]"
check "pcapng: a TCP message -s cut short is a capture-limited packet, not a malformed one" \
	sh -c "tshark -n -r '$T/e2e-tcp.jsonl.pcapng' -T fields -e frame.len -e frame.cap_len -e frame.comment 2>/dev/null | awk -F'	' '\$1 == 20 + 20 + 2 + 660 && \$2 < \$1 && /-s kept 512 of its 660/ {n++} END {exit n != 1}'"
"$NST" replay -w /nonexistent/dir/x.pcapng fixtures/article.strace >/dev/null 2>"$T/e"; rc=$?
check "pcapng: a file that cannot be created is exit 2 naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q /nonexistent/dir/x.pcapng '$T/e'"
"$NST" replay -w - fixtures/article.strace >/dev/null 2>"$T/e"; rc=$?
check "pcapng: -w - is refused (the report is on stdout)" [ $rc -eq 2 ]

# --- --container: the asking container and the forwarding netns
R28=fixtures/e2e28-output-reject.jsonl
"$NST" replay --json --events --container nstrace-e2e-hostpath -w "$T/hp.pcapng" $R28 >"$T/hp.json"
check "container: the asking container keeps its findings, forwarded from dockerd's own netns too" \
	jq_true "$T/hp.json" '[.[] | select(.type=="finding") | .id] | sort == ["dns-lookup-failed","dns-upstream-blocked"]'
check "container: the other container's finding is left out" \
	jq_true "$T/hp.json" '[.[] | select(.type=="finding" and .id=="dns-foreign-netns")] | length == 0'
check "container: events of its netns and dockerd's sends for its lookups are kept, no other" \
	jq_true "$T/hp.json" '[.[] | select(.type=="event")] as $e | ($e | length > 0) and ($e | any(.sock.netns.container.name == "nstrace-e2e-hostpath")) and ($e | any(.syscall == "sendto" or .syscall == "sendmsg" or .syscall == "write") ) and ($e | all(.sock.netns.container.name != "nstrace-e2e-ctr"))'
check "container: summary rows are its own" \
	jq_true "$T/hp.json" "$SUM | (.lookups | length >= 1 and all(.asking.container.name == \"nstrace-e2e-hostpath\")) and (.upstreams | all(.asking.container.name == \"nstrace-e2e-hostpath\")) and .version != null"
check "container: -w keeps only its packets" \
	sh -c "[ \$(tshark -n -r '$T/hp.pcapng' -T fields -e frame.comment 2>/dev/null | grep -vc 'nstrace-e2e-hostpath') -eq 0 ] && [ \$(tshark -n -r '$T/hp.pcapng' 2>/dev/null | wc -l) -ge 2 ]"
"$NST" replay --json --container nstrace-e2e-ctr --fail-on=error $R28 >"$T/c.json"; rc=$?
check "container: --fail-on looks only at the selected findings" \
	sh -c "[ $rc -eq 0 ] && jq -e -s '[.[] | select(.type==\"finding\")] | length == 1' '$T/c.json' >/dev/null"
"$NST" replay --container nosuch $R28 >"$T/o" 2>"$T/e"; rc=$?
check "container: an unknown name is exit 2 listing the names that exist" \
	sh -c "[ $rc -eq 2 ] && grep -q 'nosuch' '$T/e' && grep -q 'nstrace-e2e-hostpath' '$T/e' && grep -q nstrace-e2e-ctr '$T/e'"
"$NST" replay --container 3b3df3d02d7f fixtures/dockerd-reject-yy.strace >"$T/o" 2>"$T/e"; rc=$?
check "container: a Docker sandbox key selects its netns in a strace log" \
	sh -c "[ $rc -eq 0 ] && grep -q 'dns-upstream-refused' '$T/o'"

# --- live: dig in an ip netns, its packets decoded by tshark as dig saw them
if dns_lab_up; then
	timeout 30 "$NST" --json -w "$T/live.pcapng" --container "$CTR" -- \
		ip netns exec "$CTR" dig +tries=1 +time=3 @198.51.100.53 ok.nstrace.test nope.nstrace.test \
		>"$T/live.json" 2>"$T/live.err"
	grep -o 'status: [A-Z]*, id: [0-9]*' "$T/live.json" | awk '{print $4, $2}' | tr -d , | sort >"$T/dig.ids"
	TS "$T/live.pcapng" -Y 'dns.flags.response == 1' -T fields -e dns.id -e dns.flags.rcode |
		awk '{printf "%d %s\n", $1, $2 == 0 ? "NOERROR" : $2 == 3 ? "NXDOMAIN" : $2}' | sort >"$T/ts.ids"
	check "live pcapng: tshark shows the answers dig got, with their ids and rcodes" \
		sh -c "[ \$(wc -l <'$T/dig.ids') -eq 2 ] && cmp -s '$T/dig.ids' '$T/ts.ids'"
	check "live pcapng: and the queries, by name" \
		sh -c "tshark -n -r '$T/live.pcapng' -Y 'dns.flags.response == 0' -T fields -e dns.qry.name 2>/dev/null | sort | tr '\n' ' ' | grep -qx 'nope.nstrace.test ok.nstrace.test '"
	check "live pcapng: the interface is the ip netns, named so" \
		sh -c "tshark -n -r '$T/live.pcapng' -T fields -e frame.interface_name 2>/dev/null | sort -u | grep -qx '$CTR'"
	check "live pcapng: comments name dig and the netns" \
		sh -c "tshark -n -r '$T/live.pcapng' -T fields -e frame.comment 2>/dev/null | grep -q '(dig) tid .*/run/netns/$CTR'"
	"$NST" --container nst-no-such-ns -- true >"$T/o" 2>"$T/e"; rc=$?
	check "live container: an unknown name is exit 2 listing the ip netns there" \
		sh -c "[ $rc -eq 2 ] && grep -q '$CTR (ip netns)' '$T/e'"
else
	fail "live pcapng: could not set up the DNS lab"
fi

# --- --duration fractions, and the version
bg sleep 30
start=$(date +%s%N)
"$NST" --json --duration 0.5 -p "$BG" >"$T/d.json" 2>&1; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "duration: --duration 0.5 stops after half a second ($ms ms), exit 0" sh -c "[ $rc -eq 0 ] && [ $ms -ge 450 ] && [ $ms -lt 3000 ]"
check "duration: the process is left running and untraced" alive_and_free "$BG"
"$NST" --duration 0 -p "$BG" >/dev/null 2>"$T/e"; rc=$?
check "duration: 0 and junk are usage errors" sh -c "[ $rc -eq 2 ] && ! '$NST' --duration 1s -p $BG >/dev/null 2>&1"
check "version: the summary's version is --version's" \
	sh -c "[ \"\$(jq -r -s '$SUM.version' '$T/d.json')\" = \"\$('$NST' --version | awk '{print \$2}')\" ]"

# --report FILE: the report goes to the file, the launched program's
# stdout stays its own (nstrace --json -- CMD | jq works)
"$NST" --json --report "$T/rep.json" -- sh -c 'echo from-the-program' >"$T/rep.out" 2>"$T/rep.err"
check "report: a launched program's stdout is only its own; the JSON report is in the file" \
	sh -c "[ \"\$(cat '$T/rep.out')\" = from-the-program ] && jq -e -s 'map(.type) | index(\"summary\") != null' '$T/rep.json' >/dev/null"
"$NST" replay --report "$T/rep.txt" fixtures/article.strace >"$T/rep2.out"
check "report: replay's text report goes to the file, nothing to stdout" \
	sh -c "[ ! -s '$T/rep2.out' ] && grep -q 'dns-foreign-netns' '$T/rep.txt'"
"$NST" --report /nonexistent/dir/r -- true >/dev/null 2>"$T/e"; rc=$?
check "report: a file that cannot be created is exit 2 naming it" sh -c "[ $rc -eq 2 ] && grep -q /nonexistent/dir/r '$T/e'"
