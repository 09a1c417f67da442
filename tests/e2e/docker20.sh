# docker20.sh - the scenarios on Debian 12's dockerd 20.10 (sourced by
# run.sh with the lab up): every server is queried from the container's
# netns, as in the seed article.
CTR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)
SANDBOX=$(readlink -f "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' $LAB_CTR)")
LO_SANDBOX=$(readlink -f "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' $LAB_LOCTR)")

# 1. healthy
trace healthy docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e 20.10 healthy: the container resolved the name" grep -q 198.51.100.10 "$T/healthy.cmd"
check "e2e 20.10 healthy: nstrace detached and exited 0 on SIGINT" [ "$(cat "$T/healthy.nstrc")" = 0 ]
check "e2e 20.10 healthy: dns-foreign-netns, warning, result ok" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns) | length >= 1 and all(.severity == \"warning\" and .result == \"ok\")"
check "e2e 20.10 healthy: its netns path is the container's SandboxKey ($SANDBOX)" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns) | all(.netns.path == \"$SANDBOX\" and .upstream == \"198.51.100.53:53\" and .comm == \"dockerd\")"
check "e2e 20.10 healthy: the example query is the one asked" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].example.qname == \"ok.nstrace.test\""
check "e2e 20.10 healthy: the lookups table: the container asked, was answered, from its own netns" \
	jq_true "$T/healthy.jsonl" "$SUM.lookups | any(.asking.container.name == \"$LAB_CTR\" and .answered >= 1 and .attempts_from.container >= 1 and .attempts_from.resolver == 0)"

# naming: the container behind the netns, from the Docker Engine API
CTR_ID=$(docker inspect -f '{{.Id}}' $LAB_CTR | cut -c1-12)
CTR_IP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' $LAB_CTR)
check "e2e 20.10 naming: the finding names the container, its short id and IP ($LAB_CTR $CTR_ID $CTR_IP)" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].netns.container | .name == \"$LAB_CTR\" and .id == \"$CTR_ID\" and .ip == \"$CTR_IP\""
check "e2e 20.10 naming: so does the message" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].message | test(\"container $LAB_CTR\")"
check "e2e 20.10 naming: events name it too" \
	sh -c "grep -q '\"container\":{\"name\":\"$LAB_CTR\"' '$T/healthy.rec.jsonl'"
"$NST" replay --json "$T/healthy.rec.jsonl" >"$T/named.replay" 2>&1
check "e2e 20.10 naming: a replay shows the names from the recording, without asking Docker" \
	jq_true "$T/named.replay" "$(F dns-foreign-netns)[0].netns.container.name == \"$LAB_CTR\""
trace_opts --no-docker nodocker docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e 20.10 naming: --no-docker falls back to the sandbox id of /run/docker/netns" \
	jq_true "$T/nodocker.jsonl" "$(F dns-foreign-netns)[0].netns.container | .kind == \"sandbox\" and .name == \"$(basename "$SANDBOX")\""

# -k: the code path behind the foreign socket (Debian's dockerd is stripped
# but exports its Go symbols dynamically)
trace_opts -k stack docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e 20.10 stacks: the foreign socket's stack passes through the embedded resolver (ServeDNS)" \
	jq_true "$T/stack.jsonl" "$(F dns-foreign-netns)[0].stack | any(.function // \"\" | test(\"resolver.*ServeDNS\"))"
check "e2e 20.10 stacks: ... and through the namespace switch (ExecFunc / nsInvoke)" \
	jq_true "$T/stack.jsonl" "$(F dns-foreign-netns)[0].stack | any(.function // \"\" | test(\"ExecFunc|nsInvoke\"))"
check "e2e 20.10 stacks: dockerd is untraced and unstopped after a -k trace" alive_and_free "$LAB_PID"

# relay: client -> dockerd -> upstream -> dockerd -> client
check "e2e 20.10 relay: the summary shows dockerd relaying 127.0.0.11 to the upstream" \
	jq_true "$T/healthy.jsonl" "$SUM.relays | length >= 1 and any(.comm == \"dockerd\" and (.listener | startswith(\"127.0.0.11:\")) and .upstream == \"198.51.100.53:53\" and .count >= 1)"
check "e2e 20.10 relay: each hop dockerd saw has a latency" \
	jq_true "$T/healthy.jsonl" "$SUM.relays[0].hops | (.[1].latency_ms.p50 != null) and (.[2].latency_ms.p50 > 0) and (.[3].latency_ms.p50 != null)"

# 2. the article's failure: REJECT in the host's forwarding path
lab_rule -p udp --dport 53 -j REJECT
trace_opts "-w $T/reject.pcapng" reject docker exec $LAB_CTR nslookup ok.nstrace.test
dig +short +time=2 +tries=1 @198.51.100.53 ok.nstrace.test >"$T/hostdig" 2>&1
check "e2e 20.10 reject: the container's lookup failed" sh -c "! grep -q 198.51.100.10 '$T/reject.cmd'"
check "e2e 20.10 reject: at the same moment, dig from the host answers" grep -q 198.51.100.10 "$T/hostdig"
check "e2e 20.10 reject: dns-upstream-refused, error" \
	jq_true "$T/reject.jsonl" "$(F dns-upstream-refused) | length >= 1 and all(.severity == \"error\" and .result == \"refused\" and .netns.path == \"$SANDBOX\")"
check "e2e 20.10 reject: the message says the host path is not the one the query took" \
	jq_true "$T/reject.jsonl" "$(F dns-upstream-refused)[0].message | test(\"host path is not the one\")"
check "e2e 20.10 reject: the finding names the DOCKER-USER REJECT rule that matched" \
	jq_true "$T/reject.jsonl" "$(F dns-upstream-refused)[0].firewall[0] | .certainty == \"matched\" and .chain == \"DOCKER-USER\" and (.rule | test(\"--dport 53 -j REJECT\"))"
check "e2e 20.10 reject: dns-lookup-failed names the asking container; dockerd 20.10 answers it nothing" \
	jq_true "$T/reject.jsonl" "$(F dns-lookup-failed) | length >= 1 and all(.asking.container.name == \"$LAB_CTR\" and .client == \"nothing\")"
tshark -n -r "$T/reject.pcapng" -T fields -e frame.interface_name -e dns.id -e frame.comment >"$T/reject.pkts" 2>/dev/null
check "e2e 20.10 pcapng: the container's query is on its interface, with dns-lookup-failed" \
	grep -q "^$LAB_CTR	.*query received .* > 127.0.0.11:53 udp.*finding: dns-lookup-failed" "$T/reject.pkts"
check "e2e 20.10 pcapng: dockerd's forwarded query too, from the container's address, refused" \
	grep -q "^$LAB_CTR	.*query sent $CTR_IP:[0-9]* > 198.51.100.53:53 udp.*dns-upstream-refused" "$T/reject.pkts"
check "e2e 20.10 pcapng: as many DNS packets as nstrace counted messages" \
	sh -c "[ \$(tshark -n -r '$T/reject.pcapng' -Y dns 2>/dev/null | wc -l) -eq \$(jq -s '$SUM | .dns_queries_sent + .dns_responses_received + .dns_queries_received + .dns_responses_sent' '$T/reject.jsonl') ]"
lab_unrule -p udp --dport 53 -j REJECT

# the bash completion asks the lab's Docker for container names
check "e2e 20.10 completion: --container offers the running containers" \
	bash -c "source scripts/nstrace.bash; COMP_WORDS=(nstrace --container ''); COMP_CWORD=2; _nstrace; printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx $LAB_CTR"

# 3. silent drop
lab_rule -p udp --dport 53 -j DROP
trace drop docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e 20.10 drop: dns-upstream-timeout, error" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout) | length >= 1 and all(.severity == \"error\" and .result == \"timeout\")"
check "e2e 20.10 drop: the finding names the DOCKER-USER DROP rule" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout)[0].firewall[0] | .chain == \"DOCKER-USER\" and (.rule | test(\"--dport 53 -j DROP\"))"
lab_unrule -p udp --dport 53 -j DROP

# 4. a loopback upstream, reached from the container's namespace
trace loopback docker exec $LAB_LOCTR nslookup ok.nstrace.test
check "e2e 20.10 loopback: dns-loopback-upstream-foreign-netns, error, in that container's netns" \
	jq_true "$T/loopback.jsonl" "$(F dns-loopback-upstream-foreign-netns) | length >= 1 and all(.severity == \"error\" and .upstream == \"127.0.0.53:53\" and .netns.path == \"$LO_SANDBOX\")"

# 5. TCP: a TXT answer over 512 bytes
trace tcp nsenter -t "$CTR_PID" -n dig +tcp +time=3 +tries=1 @127.0.0.11 big.nstrace.test TXT
check "e2e 20.10 tcp: dig got the big TXT answer over TCP" grep -q 'status: NOERROR' "$T/tcp.cmd"
check "e2e 20.10 tcp: the forwarded query is decoded over TCP (proto tcp in the summary)" \
	jq_true "$T/tcp.jsonl" "$SUM.upstreams | any(.proto == \"tcp\" and .upstream == \"198.51.100.53:53\" and .answered >= 1)"

# 6. blocked: a REJECT in the OUTPUT chain of the container's own netns
# makes dockerd's send there fail with EPERM (a netns nstrace does not read
# rules from: no rule is named, and none made up)
nsenter -t "$CTR_PID" -n iptables -I OUTPUT -d 198.51.100.53/32 -p udp --dport 53 -j REJECT
trace blk20 docker exec $LAB_CTR nslookup ok.nstrace.test
nsenter -t "$CTR_PID" -n iptables -D OUTPUT -d 198.51.100.53/32 -p udp --dport 53 -j REJECT
check "e2e 20.10 blocked: dns-upstream-blocked in $LAB_CTR's netns, fix pointing into it, no rule claimed" \
	jq_true "$T/blk20.jsonl" "$(F dns-upstream-blocked) | length == 1 and .[0].path == \"container\" and .[0].asking.container.name == \"$LAB_CTR\" and (.[0].fix | test(\"nsenter --net=$SANDBOX\")) and (.[0] | has(\"firewall\") | not)"

# 7. unreachable: $LAB_UNRCTR's server, 198.18.0.53, has only an unreachable
# route on the host; over TCP the dial fails with EHOSTUNREACH (seen in
# getsockopt(SO_ERROR)); over UDP the ICMP is a soft error and the attempt
# times out, as the kernel reports it
UNR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_UNRCTR)
trace unr20 nsenter -t "$UNR_PID" -n dig +tcp +time=3 +tries=1 @127.0.0.11 ok.nstrace.test
check "e2e 20.10 unreachable: a TCP dial to 198.18.0.53 is dns-upstream-unreachable for $LAB_UNRCTR" \
	jq_true "$T/unr20.jsonl" "$(F dns-upstream-unreachable) | length == 1 and .[0].proto == \"tcp\" and .[0].upstream == \"198.18.0.53:53\" and .[0].asking.container.name == \"$LAB_UNRCTR\""
check "e2e 20.10 unreachable: the lookup failed, with the question it asked" \
	jq_true "$T/unr20.jsonl" "$(F dns-lookup-failed) | length == 1 and .[0].example.qname == \"ok.nstrace.test\" and .[0].client == \"nothing\""

# 8. an --internal network: 20.10 still forwards its lookups, from the
# container's netns, where Docker's own isolation rule drops them
trace int20 docker exec $LAB_INTCTR nslookup ok.nstrace.test
check "e2e 20.10 internal: forwarded from $LAB_INTCTR's netns and timed out; the message says why" \
	jq_true "$T/int20.jsonl" "$(F dns-upstream-timeout) | length == 1 and .[0].path == \"container\" and .[0].asking.container.name == \"$LAB_INTCTR\" and (.[0].message | test(\"--internal\"))"
check "e2e 20.10 internal: the DROP that counted is Docker's isolation rule (likely: it names no port)" \
	jq_true "$T/int20.jsonl" "$(F dns-upstream-timeout)[0].firewall | any(.chain | test(\"DOCKER-ISOLATION\")) and all(.certainty == \"likely\")"

# 9. the concurrency limit: 20.10 drops what it cannot forward, unanswered
flood conc20 "$CTR_PID"
fwd=$(jq -s '[.[] | select(.type=="summary")][0].lookups | map(select(.asking.container.name == "'$LAB_CTR'"))[0].attempts_from.container // 0' "$T/conc20.jsonl" 2>/dev/null)
if [ "${fwd:-0}" -ge 1024 ]; then
	check "e2e 20.10 concurrency: past 1024 in flight dockerd dropped lookups unforwarded (dns-answered-by-resolver, nothing)" \
		jq_true "$T/conc20.jsonl" "$(F dns-answered-by-resolver) | length == 1 and .[0].client == \"nothing\" and .[0].count >= 1 and (.[0].message | test(\"concurrency limit\"))"
else
	skip "e2e 20.10 concurrency: dnsperf could not keep 1024 lookups in flight here ($fwd forwarded)"
fi

# detach: dockerd goes on as before
check "e2e 20.10 detach: dockerd is alive and no thread of it is in tracing stop" alive_and_free "$LAB_PID"
docker exec $LAB_CTR nslookup ok.nstrace.test >"$T/after" 2>&1
check "e2e 20.10 detach: a lookup through dockerd still succeeds" grep -q 198.51.100.10 "$T/after"

for s in healthy reject drop loopback tcp blk20 unr20 int20; do
	check "e2e 20.10 replay $s: the recording replays to the live findings" same_replay $s
done
for s in healthy reject drop loopback tcp; do
	save_fixture $s e2e-$s
done
save_fixture blk20 e2e-blocked
save_fixture unr20 e2e-unreachable
save_fixture int20 e2e-internal
if [ -n "$E2E_SAVE" ]; then
	lab_rule -p udp --dport 53 -j REJECT
	strace -f -tt -yy -s 4096 -o "fixtures/e2e-reject-yy.strace" -p "$LAB_PID" 2>/dev/null &
	st=$!
	sleep 1
	docker exec $LAB_CTR nslookup ok.nstrace.test >/dev/null 2>&1
	kill -INT $st
	wait $st
	lab_unrule -p udp --dport 53 -j REJECT
	"$NST" check --write-expect fixtures/e2e-reject-yy.expect.json fixtures/e2e-reject-yy.strace >/dev/null
fi
