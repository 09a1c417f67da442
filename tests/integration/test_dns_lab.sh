#!/bin/sh
# DNS decoding and the findings, live, against a real dnsmasq upstream in a
# namespace of this test, with queries sent the dockerd way (setns, socket,
# connect, setns back, write) from a "container" namespace.
. tests/lib.sh

dns_lab_up || { fail "dns-lab: could not set up namespaces and dnsmasq"; exit 0; }
C="$PROGS/dns_client /run/netns/$CTR"
F() { echo "[.[] | select(.type==\"finding\" and .id==\"$1\")]"; }
SUM='[.[] | select(.type=="summary")][0]'

# 1. healthy
timeout 30 "$NST" --json -- $C 198.51.100.53 ok.nstrace.test 1 3 >"$T/ok.jsonl" 2>"$T/err"
check "healthy: all three queries were answered by dnsmasq" [ "$(grep -c 'answered rcode 0' "$T/ok.jsonl")" -eq 3 ]
check "healthy: dns-foreign-netns, warning, result ok, count 3" \
	jq_true "$T/ok.jsonl" "$(F dns-foreign-netns) | length == 1 and .[0].severity == \"warning\" and .[0].result == \"ok\" and .[0].count == 3"
check "healthy: the finding names the upstream, proto and the container netns" \
	jq_true "$T/ok.jsonl" "$(F dns-foreign-netns)[0] | .upstream == \"198.51.100.53:53\" and .proto == \"udp\" and .netns.inode == $CTR_INO and .netns.path == \"/run/netns/$CTR\" and .home_netns.inode != $CTR_INO"
check "healthy: an ip-netns namespace is named by its ip netns name" \
	jq_true "$T/ok.jsonl" "$(F dns-foreign-netns)[0].netns.container | .kind == \"netns\" and .name == \"$CTR\""
check "healthy: the example query is decoded (qname, qtype, id)" \
	jq_true "$T/ok.jsonl" "$(F dns-foreign-netns)[0].example | .qname == \"ok.nstrace.test\" and .qtype == \"A\" and .id >= 4096"
check "healthy: the message explains the namespace's source address and forwarding rules" \
	jq_true "$T/ok.jsonl" "$(F dns-foreign-netns)[0] | (.message | test(\"with that source address\")) and (.message | test(\"forwarding\")) and (.fix | test(\"FORWARD\"))"
check "healthy: a program that is not dockerd gets no Docker advice" \
	jq_true "$T/ok.jsonl" "[.[] | select(.type==\"finding\")] | length >= 1 and all((.message + .fix) | test(\"(?i)docker|--dns\") | not)"
check "healthy: the summary counts 3 sent, 3 answered, with latencies" \
	jq_true "$T/ok.jsonl" "$SUM | .dns_queries_sent == 3 and .dns_responses_received == 3 and (.upstreams | length == 1) and .upstreams[0].answered == 3 and .upstreams[0].latency_ms.p50 > 0 and .upstreams[0].latency_ms.max >= .upstreams[0].latency_ms.p95"
check "healthy: no error findings" jq_true "$T/ok.jsonl" '[.[] | select(.type=="finding" and .severity=="error")] | length == 0'
timeout 30 "$NST" --json --fail-on=warning -- $C 198.51.100.53 ok.nstrace.test 1 1 >/dev/null 2>&1
check "fail-on: --fail-on=warning exits 1 on a warning finding" [ $? -eq 1 ]
timeout 30 "$NST" --json --fail-on=error -- $C 198.51.100.53 ok.nstrace.test 1 1 >/dev/null 2>&1
check "fail-on: --fail-on=error exits 0 when the worst is a warning" [ $? -eq 0 ]

# 2. the article's own query type: a PTR lookup
timeout 30 "$NST" --json -- $C 198.51.100.53 10.100.51.198.in-addr.arpa 12 1 >"$T/ptr.jsonl" 2>&1
check "ptr: a PTR query is decoded and answered" \
	jq_true "$T/ptr.jsonl" "$(F dns-foreign-netns)[0] | .example.qtype == \"PTR\" and .example.qname == \"10.100.51.198.in-addr.arpa\" and .result == \"ok\""

# 3. REJECT: the article's failure
ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT
timeout 30 "$NST" --json --fail-on=error -- $C 198.51.100.53 ok.nstrace.test 1 2 >"$T/rej.jsonl" 2>&1
check "reject: --fail-on=error exits 1" [ $? -eq 1 ]
check "reject: dns-upstream-refused, error, result refused, count 2" \
	jq_true "$T/rej.jsonl" "$(F dns-upstream-refused) | length == 1 and .[0].severity == \"error\" and .[0].result == \"refused\" and .[0].count == 2 and .[0].upstream == \"198.51.100.53:53\""
check "reject: the message says the rejection is on that namespace's path, not the host's" \
	jq_true "$T/rej.jsonl" "$(F dns-upstream-refused)[0].message | test(\"left from that namespace\") and test(\"host path is not the one\")"
check "reject: no Docker advice for a program that is not dockerd" \
	jq_true "$T/rej.jsonl" "[.[] | select(.type==\"finding\")] | length >= 2 and all((.message + .fix) | test(\"(?i)docker|--dns\") | not)"
check "reject: dns-foreign-netns carries result refused" \
	jq_true "$T/rej.jsonl" "$(F dns-foreign-netns)[0].result == \"refused\""
check "reject: the summary counts 2 refused" jq_true "$T/rej.jsonl" "$SUM.upstreams[0].refused == 2"
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT

# 4. DROP: silence, then the client gives up and closes
ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -s 198.51.100.2 -j DROP
timeout 30 "$NST" --json -- $C 198.51.100.53 ok.nstrace.test 1 1 >"$T/drop.jsonl" 2>&1
check "drop: dns-upstream-timeout, error" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout) | length == 1 and .[0].severity == \"error\" and .[0].result == \"timeout\""
check "drop: the summary counts the timeout" jq_true "$T/drop.jsonl" "$SUM.upstreams[0].timeout == 1"
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -s 198.51.100.2 -j DROP

# 5. a loopback upstream from the container's namespace
timeout 30 "$NST" --json -- $C 127.0.0.53 ok.nstrace.test 1 1 >"$T/lo.jsonl" 2>&1
check "loopback: dns-loopback-upstream-foreign-netns, error" \
	jq_true "$T/lo.jsonl" "$(F dns-loopback-upstream-foreign-netns) | length == 1 and .[0].severity == \"error\" and .[0].upstream == \"127.0.0.53:53\""
check "loopback: nothing listens there: refused as well" \
	jq_true "$T/lo.jsonl" "$(F dns-upstream-refused)[0].result == \"refused\""

# 6. TCP: a TXT answer over 512 bytes, length-prefixed, with -s too small for it
timeout 30 "$NST" --json -- $C 198.51.100.53 big.nstrace.test 16 1 tcp >"$T/tcp.jsonl" 2>&1
check "tcp: the client got its big TXT answer" grep -q "answered rcode 0" "$T/tcp.jsonl"
check "tcp: the query decoded over TCP and was answered (proto tcp in summary)" \
	jq_true "$T/tcp.jsonl" "$SUM.upstreams[0] | .proto == \"tcp\" and .answered == 1"
check "tcp: the finding says tcp" jq_true "$T/tcp.jsonl" "$(F dns-foreign-netns)[0].proto == \"tcp\""

# 7. NXDOMAIN from the upstream
timeout 30 "$NST" --json -- $C 198.51.100.53 nope.nstrace.test 1 1 >"$T/nx.jsonl" 2>&1
check "rcode: NXDOMAIN gives dns-error-rcode, info" \
	jq_true "$T/nx.jsonl" "$(F dns-error-rcode) | length == 1 and .[0].severity == \"info\" and .[0].rcode == \"NXDOMAIN\""

# 8. text mode: live finding line, then the report with message, fix and table
timeout 30 "$NST" -- $C 198.51.100.53 ok.nstrace.test 1 1 >"$T/text" 2>&1
check "text: the finding is printed live, before the report" \
	sh -c "grep -n 'nstrace: \[warning\] dns-foreign-netns' '$T/text' | head -1 | cut -d: -f1 | { read a; b=\$(grep -n '== nstrace report' '$T/text' | cut -d: -f1); [ \"\$a\" -lt \"\$b\" ]; }"
check "text: the report has why/fix and the upstream table" \
	sh -c "grep -q '    why: ' '$T/text' && grep -q '    fix: ' '$T/text' && grep -q '198.51.100.53:53' '$T/text' && grep -q 'p95 ms' '$T/text'"

# 9. a relay like dockerd's embedded resolver, with its client traced too
ip -n "$CTR" link set lo up
timeout 30 "$NST" --json -- sh -c "
	'$PROGS/relay' /run/netns/$CTR 198.51.100.53 2 2>'$T/relay.err' &
	while ! grep -q ready '$T/relay.err'; do sleep 0.05; done
	$C 127.0.0.11 ok.nstrace.test 1 2; wait" >"$T/relay.jsonl" 2>&1
R="$SUM.relays[0]"
check "relay: both client queries were answered through the relay" [ "$(grep -c 'answered rcode 0' "$T/relay.jsonl")" -eq 2 ]
check "relay: the summary correlates client->relay->upstream->relay->client" \
	jq_true "$T/relay.jsonl" "$R | .count == 2 and .listener == \"127.0.0.11:53\" and .upstream == \"198.51.100.53:53\" and (.hops | length == 4)"
check "relay: every hop has a latency, and the total is positive" \
	jq_true "$T/relay.jsonl" "$R | (.hops | all(.latency_ms.p50 != null and .latency_ms.p50 >= 0)) and .total_ms.p50 > 0"
check "relay: queries received and responses sent are counted" \
	jq_true "$T/relay.jsonl" "$SUM | .dns_queries_received == 2 and .dns_responses_sent == 2"
