#!/bin/sh
# guest.sh - run inside a qemu guest on a distribution kernel (tests/vm/run.sh
# boots it, the host's root shared read-only): the netns DNS lab of
# tests/lib.sh, and fixture programs traced by --backend bpf and ptrace,
# launched and attached.  Both must give the same findings and counts, and
# the BPF programs must do without exactly what this kernel lacks
# (VM_WITHOUT, the tracer's bpf_without).  The guest has no network device:
# nothing can leave it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

K=${VM_LABEL:-kernel $(uname -r | cut -d- -f1)}
dns_lab_up || { fail "$K: the netns lab could not be set up"; exit 0; }

# view FILE: findings (id severity result count) and the summary's counts
view() {
	grep '^{' "$1" | jq -c -S 'select(.type == "finding" or .type == "summary") |
		if .type == "finding" then [.id, .severity, .result, .count]
		else {q: .dns_queries_sent, a: .dns_responses_received,
		      ups: ([.upstreams[] | {upstream, proto, queries, answered, refused, unreachable, timeout, pending}] | sort)} end' | sort
}

# launched NAME BACKEND CMD...
launched() {
	n=$1 be=$2
	shift 2
	timeout 120 "$NST" --backend "$be" --json -- "$@" >"$T/$n.$be.jsonl" 2>"$T/$n.$be.err"
}

# attached NAME BACKEND CMD...: CMD exec'd by a shell nstrace attached to
attached() {
	n=$1 be=$2
	shift 2
	rm -f "$T/go"
	mkfifo "$T/go"
	sh -c 'read x <"$0"; exec "$@"' "$T/go" "$@" >"$T/$n.$be.out" 2>&1 &
	sp=$!
	timeout 120 "$NST" --backend "$be" --json -p $sp >"$T/$n.$be.jsonl" 2>"$T/$n.$be.err" &
	np=$!
	# emulated: loading and attaching take seconds
	traced_wait $sp 1200 || echo "guest: $sp was not traced in 2 minutes" >&2
	echo go >"$T/go"
	wait $sp
	sleep 0.5
	kill -INT $np 2>/dev/null
	wait $np
}

# nsrefs FILE: on a difference, where each finding's rows say they were
# (the netns refs that key them), to tell the next one's cause
nsrefs() {
	echo "$1:"
	grep '^{' "$1" | jq -c 'select(.type == "finding") | [.id, .count, .netns.inode, .netns.path,
		.home_netns.inode, .home_netns.path]' 2>&1
}

# same_views NAME: both backends' views equal, else what differs, and
# where
same_views() {
	[ -s "$T/$1.ptrace.v" ] && cmp -s "$T/$1.ptrace.v" "$T/$1.bpf.v" && return 0
	{
		diff "$T/$1.ptrace.v" "$T/$1.bpf.v"
		tail -3 "$T/$1.bpf.err"
		nsrefs "$T/$1.ptrace.jsonl"
		nsrefs "$T/$1.bpf.jsonl"
	} >&2
	return 1
}

# same NAME MODE CMD...: bpf and ptrace, then compared
same() {
	n=$1 mode=$2
	shift 2
	$mode "$n" ptrace "$@"
	$mode "$n" bpf "$@"
	view "$T/$n.ptrace.jsonl" >"$T/$n.ptrace.v"
	view "$T/$n.bpf.jsonl" >"$T/$n.bpf.v"
	check "$K $n $mode: --backend bpf gives ptrace's findings and counts" \
		same_views "$n"
	check "$K $n $mode: the BPF programs did without what this kernel lacks (${VM_WITHOUT:-nothing})" \
		jq_true "$T/$n.bpf.jsonl" "[.[] | select(.type == \"summary\")][0].tracer |
			.backend == \"bpf\" and (.bpf_without | join(\",\")) == \"$VM_WITHOUT\""
}

# a load the kernel refused: its verifier's last words, once
if ! "$NST" --backend bpf -- true >/dev/null 2>"$T/load.err"; then
	cat "$T/load.err" >&2
	NSTRACE_BPF_DEBUG=1 "$NST" --backend bpf -- true 2>&1 | grep -v '^libbpf: \(elf\|sec\|map\|CO-RE\)' | tail -25 >&2
fi

same fdops launched "$PROGS/fdops" "/run/netns/$CTR" 198.51.100.53
same ns_pattern launched "$PROGS/ns_pattern" "/run/netns/$CTR" 3
same dns_client attached "$PROGS/dns_client" "/run/netns/$CTR" 198.51.100.53 ok.nstrace.test A 3
check "$K fdops: the program's own count, under BPF (14 queries, 11 answers)" \
	jq_true "$T/fdops.bpf.jsonl" '[.[] | select(.type == "summary")][0] |
		.dns_queries_sent == 14 and .dns_responses_received == 11'
