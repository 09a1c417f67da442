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
trace reject docker exec $LAB_CTR nslookup ok.nstrace.test
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
lab_unrule -p udp --dport 53 -j REJECT

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

# detach: dockerd goes on as before
check "e2e 20.10 detach: dockerd is alive and no thread of it is in tracing stop" alive_and_free "$LAB_PID"
docker exec $LAB_CTR nslookup ok.nstrace.test >"$T/after" 2>&1
check "e2e 20.10 detach: a lookup through dockerd still succeeds" grep -q 198.51.100.10 "$T/after"

for s in healthy reject drop loopback tcp; do
	check "e2e 20.10 replay $s: the recording replays to the live findings" same_replay $s
	save_fixture $s e2e-$s
done
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
