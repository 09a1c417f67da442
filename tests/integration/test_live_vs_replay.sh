#!/bin/sh
# Live against replay (and ptrace against BPF): fixture programs that use every fd and netns
# operation (dup, dup2, F_DUPFD_CLOEXEC, fd reuse, fork, threads, execve,
# unshare, clone(CLONE_NEWNET), close_range, answers read without an
# address by another thread or process) are run live under nstrace (which
# records them with -o), under `strace -f -tt -yy` and under plain
# `strace -f -tt`; the recording and both logs are replayed.  All three must give the same findings (id, severity, result,
# count) and the same summary counts, equal to what the program itself
# counted, and no answered query may be a timeout.
. tests/lib.sh

dns_lab_up || { fail "live-vs-replay: lab setup"; exit 0; }
# the BPF backend too, where this kernel and build can run it (test_bpf.sh says when not)
BPF=""
"$NST" --backend bpf -- true >/dev/null 2>&1 && BPF=1

# findings FILE: "id severity result count" lines, sorted
findings() { grep '^{' "$1" | jq -r 'select(.type=="finding") | "\(.id) \(.severity) \(.result) \(.count)"' | sort; }
# counts FILE: the summary's totals and per-upstream rows (without netns)
counts() {
	grep '^{' "$1" | jq -c 'select(.type=="summary") | {q: .dns_queries_sent, a: .dns_responses_received,
		ups: ([.upstreams[] | {upstream, proto, queries, answered, refused, unreachable, timeout, pending}] | sort)}'
}
# What each program says it did, over all its processes: {"q":N,"a":M}
own_fdops() { awk '/^fdops: queries/ {q += $3; a += $5} END {printf "{\"q\":%d,\"a\":%d}", q, a}' "$@"; }
own_dns_client() { awk '/^round/ {q++} /^round.*: answered/ {a++} END {printf "{\"q\":%d,\"a\":%d}", q, a}' "$@"; }
own_ns_pattern() { awk '/rounds answered/ {n = $2} END {printf "{\"q\":%d,\"a\":%d}", n, n}' "$@"; }

# run_three P OWN CMD...: CMD live under nstrace, and under strace -yy and
# plain strace replayed; OWN reads the program's own account of it.
run_three() {
	p=$1
	own=$2
	shift 2
	rm -f "$T/$p".*
	timeout 60 "$NST" --json -o "$T/$p.rec.jsonl" -- "$@" >"$T/$p.live.jsonl" 2>"$T/$p.live.out"
	check "$p live: the program ran to completion under nstrace" [ $? -eq 0 ]
	strace -f -tt -yy -s 4096 -o "$T/$p.yy.log" "$@" >"$T/$p.yy.out" 2>&1
	strace -f -tt -s 4096 -o "$T/$p.plain.log" "$@" >"$T/$p.plain.out" 2>&1
	"$NST" replay --json "$T/$p.yy.log" >"$T/$p.yy.jsonl" 2>"$T/$p.yy.err"
	"$NST" replay --json "$T/$p.plain.log" >"$T/$p.plain.jsonl" 2>"$T/$p.plain.err"
	"$NST" replay --json "$T/$p.rec.jsonl" >"$T/$p.rec.out.jsonl" 2>"$T/$p.rec.err"
	for v in live yy plain; do
		findings "$T/$p.$v.jsonl" >"$T/$p.$v.f"
		counts "$T/$p.$v.jsonl" >"$T/$p.$v.c"
	done
	check "$p: live findings are not empty" [ -s "$T/$p.live.f" ]
	findings "$T/$p.rec.out.jsonl" >"$T/$p.rec.f"
	counts "$T/$p.rec.out.jsonl" >"$T/$p.rec.c"
	check "$p: its own recording (-o) replays to the live findings and counts" \
		sh -c "cmp -s '$T/$p.live.f' '$T/$p.rec.f' && cmp -s '$T/$p.live.c' '$T/$p.rec.c'"
	check "$p: strace -yy replay gives the live findings (id, severity, result, count)" \
		cmp -s "$T/$p.live.f" "$T/$p.yy.f"
	check "$p: plain strace replay gives the live findings" cmp -s "$T/$p.live.f" "$T/$p.plain.f"
	check "$p: strace -yy replay gives the live summary counts" cmp -s "$T/$p.live.c" "$T/$p.yy.c"
	check "$p: plain strace replay gives the live summary counts" cmp -s "$T/$p.live.c" "$T/$p.plain.c"
	if [ -n "$BPF" ]; then # the BPF backend, live too: the same
		timeout 60 "$NST" --backend bpf --json -- "$@" >"$T/$p.bpf.jsonl" 2>"$T/$p.bpf.out"
		findings "$T/$p.bpf.jsonl" >"$T/$p.bpf.f"
		counts "$T/$p.bpf.jsonl" >"$T/$p.bpf.c"
		check "$p: --backend bpf gives the live (ptrace) findings and summary counts" \
			sh -c "cmp -s '$T/$p.live.f' '$T/$p.bpf.f' && cmp -s '$T/$p.live.c' '$T/$p.bpf.c' ||
				{ diff '$T/$p.live.f' '$T/$p.bpf.f'; diff '$T/$p.live.c' '$T/$p.bpf.c'; tail -3 '$T/$p.bpf.out'; false; } >&2"
	fi
	for v in live yy plain; do
		mine=$($own "$T/$p.$v.out" "$T/$p.$v.jsonl")
		check "$p $v: queries sent and answers read equal the program's own count ($mine)" \
			[ "$(jq -c '{q, a}' "$T/$p.$v.c")" = "$mine" ]
		check "$p $v: no query is a timeout (every one was answered or refused)" \
			sh -c "! grep -q timeout '$T/$p.$v.f' && jq -e '[.ups[].timeout] | add == 0' '$T/$p.$v.c' >/dev/null"
	done
	for v in yy plain; do
		check "$p $v: the replay found no bad line" sh -c "! grep -q ':[0-9]*: ' '$T/$p.$v.err'"
	done
}

run_three fdops own_fdops "$PROGS/fdops" "/run/netns/$CTR" 198.51.100.53

# What the findings must be, whichever source: the ten answered foreign
# queries of the main process and the one of its exec'd child, and the
# refused and unreachable ones.
F="$T/fdops.live.f"
check "fdops: the main process's 10 answered foreign queries (one over TCP), as one warning" \
	grep -qx "dns-foreign-netns warning ok 10" "$F"
check "fdops: the exec'd program's inherited socket answered too" \
	grep -qx "dns-foreign-netns warning ok 1" "$F"
check "fdops: the container-loopback query is refused, and says why" \
	sh -c "grep -qx 'dns-loopback-upstream-foreign-netns error refused 1' '$F' && grep -qx 'dns-upstream-refused error refused 1' '$F'"
check "fdops: the unshare'd socket cannot route: foreign and unreachable" \
	grep -qx "dns-foreign-netns error unreachable 1" "$F"
check "fdops: the clone(CLONE_NEWNET) child is at home in its netns: unreachable, not foreign" \
	[ "$(grep -c 'dns-upstream-unreachable error unreachable 1' "$F")" = 2 ]
check "fdops: DNS bytes written to /dev/null on reused fd numbers are no query" \
	jq -e '.q == 14 and .a == 11' "$T/fdops.live.c"
check "fdops: the TCP answer read on the dup3 copy by another thread counts (proto tcp)" \
	jq -e '[.ups[] | select(.proto == "tcp" and .answered == 1)] | length == 1' "$T/fdops.live.c"

# The seed article's pattern with its own server, and dockerd's client
# pattern over UDP and TCP.
run_three ns_pattern own_ns_pattern "$PROGS/ns_pattern" "/run/netns/$CTR" 3
run_three dns_client own_dns_client "$PROGS/dns_client" "/run/netns/$CTR" 198.51.100.53 ok.nstrace.test A 3
run_three dns_client_tcp own_dns_client "$PROGS/dns_client" "/run/netns/$CTR" 198.51.100.53 big.nstrace.test TXT 2 tcp
