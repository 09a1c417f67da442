#!/bin/sh
# Launch mode installs a seccomp-bpf filter: only the decoded syscalls stop
# the program (children and threads inherit it), with the same findings.
. tests/lib.sh

timeout 30 "$NST" --json -- "$PROGS/busy_threads" 4 "$T/c1" 1 >"$T/f.jsonl" 2>&1
check "seccomp: the launched program ran to completion" [ -s "$T/c1" ]
timeout 60 "$NST" --json --no-seccomp-bpf -- "$PROGS/busy_threads" 4 "$T/c2" 1 >"$T/n.jsonl" 2>&1
f=$(grep '^{' "$T/f.jsonl" | jq -s '[.[] | select(.type=="summary")][0].tracer.stops')
n=$(grep '^{' "$T/n.jsonl" | jq -s '[.[] | select(.type=="summary")][0].tracer.stops')
check "seccomp: nanosleep/getppid churn does not stop the program ($f stops, vs $n without the filter)" \
	test "${f:-99999}" -lt 1000 -a "${n:-0}" -gt $((${f:-99999} * 10))

ns=$(netns_new sec) || { fail "seccomp: create netns"; exit 0; }
for mode in "" "--no-seccomp-bpf"; do
	timeout 30 "$NST" --json --events $mode -- "$PROGS/ns_pattern" "/run/netns/$ns" 2 >"$T/p.jsonl" 2>&1
	check "seccomp ${mode:-on}: the article pattern decodes the same (2 foreign writes, setns, threads)" \
		jq_true "$T/p.jsonl" '[.[] | select(.syscall=="write" and .sock.foreign)] | length == 2'
done
