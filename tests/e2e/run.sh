#!/bin/sh
# run.sh - nstrace against a real dockerd (Debian docker.io, 20.10).
#
# Each scenario attaches `nstrace -p $(pidof dockerd) --json -o REC`, runs a
# lookup in a container, stops nstrace with SIGINT, and checks its JSON.
# E2E_SAVE=1 copies the recordings into fixtures/ with expectation files.
# When dockerd cannot run here, the scenarios are reported as skipped.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/e2e/lab.sh
trap 'lab_down; cleanup' EXIT INT TERM

skip() { echo "SKIP: $*"; }
if ! lab_up; then
	skip "e2e: the dockerd lab could not be set up here; all scenarios skipped"
	exit 0
fi
CTR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)
SANDBOX=$(readlink -f "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' $LAB_CTR)")
LO_SANDBOX=$(readlink -f "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' $LAB_LOCTR)")
F() { echo "[.[] | select(.type==\"finding\" and .id==\"$1\")]"; }
SUM='[.[] | select(.type=="summary")][0]'

# trace_opts "NSTRACE-OPTIONS" NAME CMD...: nstrace attached to dockerd
# around one command; trace NAME CMD... without extra options
trace_opts() {
	opts=$1 name=$2
	shift 2
	# shellcheck disable=SC2086 # the options are words
	"$NST" $opts -p "$(pidof dockerd)" --json -o "$T/$name.rec.jsonl" >"$T/$name.jsonl" 2>"$T/$name.err" &
	nst=$!
	sleep 1 # attached by now: the first stops have been handled
	"$@" >"$T/$name.cmd" 2>&1
	echo $? >"$T/$name.rc"
	kill -INT $nst
	wait $nst
	echo $? >"$T/$name.nstrc"
}
trace() { trace_opts "" "$@"; }

# 1. healthy
trace healthy docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e healthy: the container resolved the name" grep -q 198.51.100.10 "$T/healthy.cmd"
check "e2e healthy: nstrace detached and exited 0 on SIGINT" [ "$(cat "$T/healthy.nstrc")" = 0 ]
check "e2e healthy: dns-foreign-netns, warning, result ok" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns) | length >= 1 and all(.severity == \"warning\" and .result == \"ok\")"
check "e2e healthy: its netns path is the container's SandboxKey ($SANDBOX)" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns) | all(.netns.path == \"$SANDBOX\" and .upstream == \"198.51.100.53:53\" and .comm == \"dockerd\")"
check "e2e healthy: the example query is the one asked" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].example.qname == \"ok.nstrace.test\""

# naming: the container behind the netns, from the Docker Engine API
CTR_ID=$(docker inspect -f '{{.Id}}' $LAB_CTR | cut -c1-12)
CTR_IP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' $LAB_CTR)
check "e2e naming: the finding names the container, its short id and IP ($LAB_CTR $CTR_ID $CTR_IP)" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].netns.container | .name == \"$LAB_CTR\" and .id == \"$CTR_ID\" and .ip == \"$CTR_IP\""
check "e2e naming: so does the message" \
	jq_true "$T/healthy.jsonl" "$(F dns-foreign-netns)[0].message | test(\"container $LAB_CTR\")"
check "e2e naming: events name it too" \
	sh -c "grep -q '\"container\":{\"name\":\"$LAB_CTR\"' '$T/healthy.rec.jsonl'"
"$NST" replay --json "$T/healthy.rec.jsonl" >"$T/named.replay" 2>&1
check "e2e naming: a replay shows the names from the recording, without asking Docker" \
	jq_true "$T/named.replay" "$(F dns-foreign-netns)[0].netns.container.name == \"$LAB_CTR\""
trace_opts --no-docker nodocker docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e naming: --no-docker falls back to the sandbox id of /run/docker/netns" \
	jq_true "$T/nodocker.jsonl" "$(F dns-foreign-netns)[0].netns.container | .kind == \"sandbox\" and .name == \"$(basename "$SANDBOX")\""

# -k: the code path behind the foreign socket (Debian's dockerd is stripped
# but exports its Go symbols dynamically)
trace_opts -k stack docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e stacks: the foreign socket's stack passes through the embedded resolver (ServeDNS)" \
	jq_true "$T/stack.jsonl" "$(F dns-foreign-netns)[0].stack | any(.function // \"\" | test(\"resolver.*ServeDNS\"))"
check "e2e stacks: ... and through the namespace switch (ExecFunc / nsInvoke)" \
	jq_true "$T/stack.jsonl" "$(F dns-foreign-netns)[0].stack | any(.function // \"\" | test(\"ExecFunc|nsInvoke\"))"
check "e2e stacks: dockerd is untraced and unstopped after a -k trace" alive_and_free "$(pidof dockerd)"

# 6. relay: client -> dockerd -> upstream -> dockerd -> client
check "e2e relay: the summary shows dockerd relaying 127.0.0.11 to the upstream" \
	jq_true "$T/healthy.jsonl" "$SUM.relays | length >= 1 and any(.comm == \"dockerd\" and (.listener | startswith(\"127.0.0.11:\")) and .upstream == \"198.51.100.53:53\" and .count >= 1)"
check "e2e relay: each hop dockerd saw has a latency" \
	jq_true "$T/healthy.jsonl" "$SUM.relays[0].hops | (.[1].latency_ms.p50 != null) and (.[2].latency_ms.p50 > 0) and (.[3].latency_ms.p50 != null)"

# 2. the article's failure: REJECT in the host's forwarding path
lab_rule -p udp --dport 53 -j REJECT
trace reject docker exec $LAB_CTR nslookup ok.nstrace.test
dig +short +time=2 +tries=1 @198.51.100.53 ok.nstrace.test >"$T/hostdig" 2>&1
check "e2e reject: the container's lookup failed" sh -c "! grep -q 198.51.100.10 '$T/reject.cmd'"
check "e2e reject: at the same moment, dig from the host answers" grep -q 198.51.100.10 "$T/hostdig"
check "e2e reject: dns-upstream-refused, error" \
	jq_true "$T/reject.jsonl" "$(F dns-upstream-refused) | length >= 1 and all(.severity == \"error\" and .result == \"refused\" and .netns.path == \"$SANDBOX\")"
check "e2e reject: the message says the host path is not the one the query took" \
	jq_true "$T/reject.jsonl" "$(F dns-upstream-refused)[0].message | test(\"host path is not the one\")"
lab_unrule -p udp --dport 53 -j REJECT

# 3. silent drop
lab_rule -p udp --dport 53 -j DROP
trace drop docker exec $LAB_CTR nslookup ok.nstrace.test
check "e2e drop: dns-upstream-timeout, error" \
	jq_true "$T/drop.jsonl" "$(F dns-upstream-timeout) | length >= 1 and all(.severity == \"error\" and .result == \"timeout\")"
lab_unrule -p udp --dport 53 -j DROP

# 4. a loopback upstream, reached from the container's namespace
trace loopback docker exec $LAB_LOCTR nslookup ok.nstrace.test
check "e2e loopback: dns-loopback-upstream-foreign-netns, error, in that container's netns" \
	jq_true "$T/loopback.jsonl" "$(F dns-loopback-upstream-foreign-netns) | length >= 1 and all(.severity == \"error\" and .upstream == \"127.0.0.53:53\" and .netns.path == \"$LO_SANDBOX\")"

# 5. TCP: a TXT answer over 512 bytes
trace tcp nsenter -t "$CTR_PID" -n dig +tcp +time=3 +tries=1 @127.0.0.11 big.nstrace.test TXT
check "e2e tcp: dig got the big TXT answer over TCP" grep -q 'status: NOERROR' "$T/tcp.cmd"
check "e2e tcp: the forwarded query is decoded over TCP (proto tcp in the summary)" \
	jq_true "$T/tcp.jsonl" "$SUM.upstreams | any(.proto == \"tcp\" and .upstream == \"198.51.100.53:53\" and .answered >= 1)"

# 7. detach: dockerd goes on as before
check "e2e detach: dockerd is alive and no thread of it is in tracing stop" alive_and_free "$(pidof dockerd)"
docker exec $LAB_CTR nslookup ok.nstrace.test >"$T/after" 2>&1
check "e2e detach: a lookup through dockerd still succeeds" grep -q 198.51.100.10 "$T/after"

# replay: the recordings give the live findings back
for s in healthy reject drop loopback tcp; do
	"$NST" replay --json "$T/$s.rec.jsonl" >"$T/$s.replay" 2>&1
	check "e2e replay $s: the recording replays to the live findings" \
		sh -c "[ \"\$(grep '^{' '$T/$s.jsonl' | jq -S -c 'select(.type==\"finding\") | del(.first_ts, .last_ts)' | sort)\" = \"\$(grep '^{' '$T/$s.replay' | jq -S -c 'select(.type==\"finding\") | del(.first_ts, .last_ts)' | sort)\" ]"
done

# Every e2e recording is also a fixture candidate: E2E_SAVE=1 keeps them.
if [ -n "$E2E_SAVE" ]; then
	for s in healthy reject drop loopback tcp; do
		cp "$T/$s.rec.jsonl" "fixtures/e2e-$s.jsonl"
		"$NST" check --write-expect "fixtures/e2e-$s.expect.json" "fixtures/e2e-$s.jsonl" >/dev/null
	done
	lab_rule -p udp --dport 53 -j REJECT
	strace -f -tt -yy -s 4096 -o "fixtures/e2e-reject-yy.strace" -p "$(pidof dockerd)" 2>/dev/null &
	st=$!
	sleep 1
	docker exec $LAB_CTR nslookup ok.nstrace.test >/dev/null 2>&1
	kill -INT $st
	wait $st
	lab_unrule -p udp --dport 53 -j REJECT
	"$NST" check --write-expect fixtures/e2e-reject-yy.expect.json fixtures/e2e-reject-yy.strace >/dev/null
	echo "e2e: saved fixtures/e2e-*" >&2
fi
