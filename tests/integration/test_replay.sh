#!/bin/sh
# Replay and check: recordings and strace logs run through the same
# analyzers as a live trace; fixtures pin the expected diagnosis.
. tests/lib.sh

norm_findings() { grep '^{' "$1" | jq -S -c 'select(.type=="finding") | del(.first_ts, .last_ts)' | sort; }
norm_summary() { grep '^{' "$1" | jq -S -c 'select(.type=="summary") | del(.tracer, .input)'; }
# same_findings A B: equal findings but for timestamps, and at least one
same_findings() { [ -n "$(norm_findings "$1")" ] && [ "$(norm_findings "$1")" = "$(norm_findings "$2")" ]; }
same_summary() { [ -n "$(norm_summary "$1")" ] && [ "$(norm_summary "$1")" = "$(norm_summary "$2")" ]; }

# 1. every fixture matches its expectation
for e in fixtures/*.expect.json; do
	n=${e%.expect.json}
	t=$(ls "$n".jsonl "$n".strace 2>/dev/null | head -1)
	"$NST" check --expect "$e" "$t" >"$T/check.out" 2>&1
	check "fixture: $(basename "$t") gives the findings pinned in its expectation" [ $? -eq 0 ]
done

# 2. check reports differences readably, and bad expectations
e=fixtures/dockerd-reject.expect.json
jq '.findings[0].count += 1' "$e" >"$T/count.json"
"$NST" check --expect "$T/count.json" fixtures/dockerd-reject.jsonl >"$T/o" 2>&1
check "check: a wrong count exits 1 with a '~ count' line" sh -c "[ $? -eq 1 ] && grep -q '^~ count' '$T/o'"
jq '.findings |= .[1:]' "$e" >"$T/less.json"
"$NST" check --expect "$T/less.json" fixtures/dockerd-reject.jsonl >"$T/o" 2>&1
check "check: an unexpected finding exits 1 with a '+ unexpected' line" sh -c "[ $? -eq 1 ] && grep -q '^+ unexpected' '$T/o'"
jq '.findings += [{"id":"dns-upstream-timeout"}]' "$e" >"$T/more.json"
"$NST" check --expect "$T/more.json" fixtures/dockerd-reject.jsonl >"$T/o" 2>&1
check "check: a missing finding exits 1 with a '- missing' line" sh -c "[ $? -eq 1 ] && grep -q '^- missing' '$T/o'"
jq '.findings[0].count = {"min": 1, "max": 10}' "$e" >"$T/range.json"
"$NST" check --expect "$T/range.json" fixtures/dockerd-reject.jsonl >/dev/null 2>&1
check "check: a count range matches" [ $? -eq 0 ]
echo '{"findings": [{"severity": "error"}]}' >"$T/bad.json"
"$NST" check --expect "$T/bad.json" fixtures/dockerd-reject.jsonl >"$T/o" 2>&1
check "check: a malformed expectation exits 2 and says why" sh -c "[ $? -eq 2 ] && grep -q 'needs an \"id\"' '$T/o'"

# 3. the seed article's excerpt, from a file and from stdin
"$NST" replay --json fixtures/article.strace >"$T/art.jsonl" 2>"$T/art.err"
check "article: dns-foreign-netns to 192.168.29.2:53 for 78.143.241.199.in-addr.arpa PTR" \
	jq_true "$T/art.jsonl" '[.[] | select(.type=="finding" and .id=="dns-foreign-netns")] | length == 1 and .[0].upstream == "192.168.29.2:53" and .[0].example.qname == "78.143.241.199.in-addr.arpa" and .[0].example.qtype == "PTR"'
check "article: the omitted-content lines are skipped and counted" \
	jq_true "$T/art.jsonl" '[.[] | select(.type=="summary")][0].input | .skipped == 2 and .bad == 0 and .format == "strace"'
"$NST" replay --json - <fixtures/article.strace >"$T/stdin.jsonl" 2>&1
check "article: '-' reads the same log from stdin" same_findings "$T/art.jsonl" "$T/stdin.jsonl"

# 4. bad input
"$NST" replay fixtures/dockerd-reject.jsonl >/dev/null 2>&1
check "replay: a recording replays with exit 0" [ $? -eq 0 ]
sed '5s/.*/{"type":"event", "ts": oops}/' fixtures/dockerd-reject.jsonl >"$T/corrupt.jsonl"
"$NST" replay "$T/corrupt.jsonl" >/dev/null 2>"$T/e"
check "replay: a corrupt recording line is an error naming FILE:LINE (exit 2)" \
	sh -c "[ $? -eq 2 ] && grep -q 'corrupt.jsonl:5: ' '$T/e'"
sed '1s/"version":1/"version":99/' fixtures/dockerd-reject.jsonl >"$T/v99.jsonl"
"$NST" replay "$T/v99.jsonl" >/dev/null 2>"$T/e"
check "replay: an unknown recording version is a clear error (exit 2)" \
	sh -c "[ $? -eq 2 ] && grep -q 'version 99 is not supported' '$T/e'"
{ cat fixtures/article.strace; echo '[pid  7055] write(39, "abc", 3'; echo 'random noise'; } >"$T/noisy.strace"
"$NST" replay "$T/noisy.strace" >"$T/o" 2>"$T/e"
check "replay: bad strace lines get FILE:LINE: reason, are counted, and the rest is analyzed" \
	sh -c "[ $? -eq 0 ] && grep -q 'noisy.strace:11: syscall line without a return value' '$T/e' && grep -q '1 bad' '$T/o' && grep -q dns-foreign-netns '$T/o'"
"$NST" replay /nonexistent.strace >/dev/null 2>"$T/e"
check "replay: a missing file exits 2 naming it" sh -c "[ $? -eq 2 ] && grep -q nonexistent.strace '$T/e'"

# 5. live -> -o -> replay gives the same findings and summary
dns_lab_up || { fail "replay: lab setup"; exit 0; }
C="$PROGS/dns_client /run/netns/$CTR 198.51.100.53"
timeout 30 "$NST" --json -o "$T/rec.jsonl" -- $C ok.nstrace.test 1 3 >"$T/live.jsonl" 2>&1
"$NST" replay --json "$T/rec.jsonl" >"$T/replayed.jsonl" 2>&1
check "round trip: replayed findings equal the live ones (but for timestamps)" \
	same_findings "$T/live.jsonl" "$T/replayed.jsonl"
check "round trip: the replayed summary equals the live one (but for tracer/input stats)" \
	same_summary "$T/live.jsonl" "$T/replayed.jsonl"
ip netns exec "$UP" iptables -I INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT
timeout 30 "$NST" --json -o "$T/rec2.jsonl" -- $C ok.nstrace.test 1 2 >"$T/live2.jsonl" 2>&1
"$NST" replay --json "$T/rec2.jsonl" >"$T/replayed2.jsonl" 2>&1
check "round trip: the same holds for a refused upstream" \
	same_findings "$T/live2.jsonl" "$T/replayed2.jsonl"
check "round trip: ... and its summary" same_summary "$T/live2.jsonl" "$T/replayed2.jsonl"
check "round trip: the refused upstream is diagnosed" grep -q dns-upstream-refused "$T/replayed2.jsonl"
ip netns exec "$UP" iptables -D INPUT -p udp --dport 53 -s 198.51.100.2 -j REJECT

# 6. strace logs of the same scenario, in every form strace writes
F='[.[] | select(.type=="finding" and .id=="dns-foreign-netns")]'
for v in "-f" "-f -tt" "-f -ttt -T" "-f -t -xx" "-f -y" "-f -yy -tt" "-f -e trace=%network,setns,read,write,close"; do
	strace $v -s 512 -o "$T/s.log" $C ok.nstrace.test 1 2 >/dev/null 2>&1
	"$NST" replay --json "$T/s.log" >"$T/s.jsonl" 2>"$T/s.err"
	want_path=null
	case "$v" in *-y*|"-f"|"-f -tt"|"-f -ttt -T"|"-f -t -xx") want_path="\"/run/netns/$CTR\"" ;; esac
	check "strace $v: dns-foreign-netns x2, upstream, qname, netns path $want_path, no bad lines" \
		sh -c "grep '^{' '$T/s.jsonl' | jq -s -e '($F | length == 1 and .[0].count == 2 and .[0].upstream == \"198.51.100.53:53\" and .[0].example.qname == \"ok.nstrace.test\" and .[0].netns.path == $want_path) and ([.[] | select(.type==\"summary\")][0].input.bad == 0)' >/dev/null"
done
strace -f -s 512 $C ok.nstrace.test 1 2 >/dev/null 2>"$T/term.log"
"$NST" replay --json "$T/term.log" >"$T/term.jsonl" 2>&1
check "strace terminal form ([pid N] prefixes, first thread unprefixed): same finding" \
	jq_true "$T/term.jsonl" "$F | length == 1 and .[0].count == 2"
rm -f "$T"/ff.*
strace -ff -tt -s 512 -o "$T/ff" $C ok.nstrace.test 1 2 >/dev/null 2>&1
"$NST" replay --json "$T"/ff.* >"$T/ff.jsonl" 2>&1
check "strace -ff: per-process files merged by time: same finding" \
	jq_true "$T/ff.jsonl" "$F | length == 1 and .[0].count == 2 and .[0].result == \"ok\""

# 7. the two stages of the strace import on two threads give what they
# give on one: every strace fixture and log above, byte for byte
same=0 all=0
for f in fixtures/*.strace "$T/term.log" "$T/s.log" ff; do
	set -- "$f"
	[ "$f" = ff ] && set -- "$T"/ff.[0-9]*
	all=$((all + 1))
	"$NST" replay --json "$@" >"$T/two" 2>&1
	NSTRACE_REPLAY_THREADS=1 "$NST" replay --json "$@" >"$T/one" 2>&1
	cmp -s "$T/one" "$T/two" && same=$((same + 1))
done
check "strace import: one thread and two give the same output on $all logs (a -ff merge too)" \
	[ "$same" -eq "$all" ]

# 8. streaming: memory stays bounded on a long log with many unanswered
# queries on sockets that are never closed (pending queries are capped)
awk 'BEGIN {
	for (i = 0; i < 150000; i++) {
		fd = 3 + i % 60000
		printf "10 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = %d\n", fd
		printf "10 connect(%d, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"198.51.100.53\")}, 16) = 0\n", fd
		printf "10 write(%d, \"\\%o\\%o\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\1a\\0\\0\\1\\0\\1\", 19) = 19\n", fd, int(i / 256) % 256, i % 256
	}
}' >"$T/long.strace"
/usr/bin/time -f %M "$NST" replay --json "$T/long.strace" >"$T/long.jsonl" 2>"$T/long.rss"
rss=$(tail -1 "$T/long.rss")
check "streaming: 450k lines, 150k never-answered queries: all counted" \
	jq_true "$T/long.jsonl" '[.[] | select(.type=="summary")][0] | .dns_queries_sent == 150000 and .overflow.queries > 0'
case "$NST" in
*asan*) ;; # ASan's shadow memory says nothing about nstrace's own use
*) check "streaming: peak RSS stays under 32 MB (was ${rss} KB)" [ "$rss" -lt 32768 ] ;;
esac
