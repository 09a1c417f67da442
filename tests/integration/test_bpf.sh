#!/bin/sh
# --backend bpf against --backend ptrace: the same findings and summary
# counts on the DNS lab and on the fd-juggling fixture program; no thread
# ever stopped or traced; detaching removes the programs; -k stacks; and
# what --backend bpf and auto say where BPF cannot run.
. tests/lib.sh

if ! "$NST" --backend bpf -- true >/dev/null 2>"$T/probe"; then
	echo "SKIP: bpf: this kernel or build cannot run the BPF backend: $(head -1 "$T/probe")"
	exit 0
fi
dns_lab_up || { fail "bpf: lab setup"; exit 0; }

findings() { grep '^{' "$1" | jq -r 'select(.type=="finding") | "\(.id) \(.severity) \(.result) \(.count) \(.netns.inode)"' | sort; }
counts() {
	grep '^{' "$1" | jq -c 'select(.type=="summary") | {q: .dns_queries_sent, a: .dns_responses_received,
		ups: ([.upstreams[] | {upstream, proto, queries, answered, refused, unreachable, timeout, pending, blocked}] | sort)}'
}
# both NAME CMD...: CMD under each backend; the same findings and counts
both() {
	nm=$1
	shift
	for be in ptrace bpf; do
		timeout 60 "$NST" --backend $be --json -- "$@" >"$T/$nm.$be" 2>"$T/$nm.$be.err"
		findings "$T/$nm.$be" >"$T/$nm.$be.f"
		counts "$T/$nm.$be" >"$T/$nm.$be.c"
	done
	check "bpf $nm: findings not empty, and the same as ptrace's (id, severity, result, count, netns)" \
		sh -c "[ -s '$T/$nm.ptrace.f' ] && cmp -s '$T/$nm.ptrace.f' '$T/$nm.bpf.f'"
	check "bpf $nm: the same summary counts as ptrace's" cmp -s "$T/$nm.ptrace.c" "$T/$nm.bpf.c"
	check "bpf $nm: no record lost" jq_true "$T/$nm.bpf" '[.[] | select(.type=="summary")][0].tracer | .backend == "bpf" and .lost == 0'
}

C="$PROGS/dns_client /run/netns/$CTR"
both healthy $C 198.51.100.53 ok.nstrace.test 1 3
both ptr $C 198.51.100.53 10.100.51.198.in-addr.arpa 12 1
ip netns exec "$CTR" iptables -I OUTPUT -d 198.51.100.53 -p udp --dport 53 -j REJECT
both blocked $C 198.51.100.53 ok.nstrace.test 1 2
ip netns exec "$CTR" iptables -D OUTPUT -d 198.51.100.53 -p udp --dport 53 -j REJECT
# dup, fork, threads, exec, unshare, clone(CLONE_NEWNET), close_range, TCP
both fdops "$PROGS/fdops" "/run/netns/$CTR" 198.51.100.53

# attach: never stopped, never traced; detach takes the programs away
bg "$PROGS/busy_threads" 8 "$T/count" 60
pid=$BG
wait_for_line "$T/count" '[0-9]' || { fail "bpf attach: fixture did not start"; exit 0; }
"$NST" --backend bpf -p "$pid" >"$T/att.out" 2>&1 &
nst=$!
bpf_loaded
sleep 0.5
check "bpf attach: no thread of the process is traced (TracerPid 0) or stopped" alive_and_free "$pid"
check "bpf attach: the process keeps counting while traced" counter_grows "$T/count"
check "bpf attach: the programs are loaded while tracing" sh -c "bpftool prog show 2>/dev/null | grep -q on_sys_exit"
kill -INT $nst
wait $nst
check "bpf attach: SIGINT ends the trace with exit 0 and a report" sh -c "[ $? -eq 0 ] && grep -q 'with BPF' '$T/att.out'"
# (the kernel frees them a moment after their last reference goes)
gone() { for _ in 1 2 3 4 5 6 7 8 9 10; do bpftool prog show 2>/dev/null | grep -q on_sys_exit || return 0; sleep 0.3; done; return 1; }
check "bpf detach: the programs are gone" gone
check "bpf detach: the process goes on" counter_grows "$T/count"

# -k: stacks by frame pointers, through the same symbolizer.  They are
# symbolized after the call, from /proc/PID/maps: the queries here wait for
# a server that never answers, so that the program is still there.
bg ip netns exec "$CTR" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 53)); time.sleep(60)'
sleep 0.3
timeout 30 "$NST" --backend bpf -k --json -- "$PROGS/foreign_socket" "/run/netns/$CTR" 2 >"$T/k.json" 2>&1
check "bpf -k: the foreign socket's stack names its callers (do_lookup <- main)" \
	jq_true "$T/k.json" '[.[] | select(.type=="finding" and .id=="dns-foreign-netns")][0].stack | map(.function) | index("do_lookup") as $a | $a != null and .[$a + 1] == "main"'

# where BPF cannot run: bpf is an error naming why, auto falls back
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$NST" --backend bpf -- true >"$T/o" 2>"$T/e"; rc=$?
	check "bpf: --backend bpf without privileges is exit 2 naming what is missing" \
		sh -c "[ $rc -eq 2 ] && grep -q 'needs root' '$T/e'"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$NST" --backend auto --json -- true >"$T/o" 2>"$T/e"; rc=$?
	check "bpf: --backend auto says in one line that it falls back, and traces with ptrace" \
		sh -c "[ $rc -eq 0 ] && [ \$(grep -c 'tracing with ptrace' '$T/e') -eq 1 ] && jq -e -s '.[-1].tracer.backend == \"ptrace\"' '$T/o' >/dev/null"
	env -u NSTRACE_BACKEND setpriv --reuid=nobody --regid=nogroup --clear-groups "$NST" --json -- true \
		>"$T/o" 2>"$T/e"; rc=$?
	check "bpf: the default (auto) falls back the same way, in one line" \
		sh -c "[ $rc -eq 0 ] && [ \$(grep -c 'tracing with ptrace' '$T/e') -eq 1 ] && jq -e -s '.[-1].tracer.backend == \"ptrace\"' '$T/o' >/dev/null"
fi
# the default is auto: BPF where it loads (NSTRACE_BACKEND, which the
# tests set to ptrace, pins another), and nothing said about it
env -u NSTRACE_BACKEND "$NST" --json -- true >"$T/o" 2>"$T/e"
check "bpf: with no --backend and no NSTRACE_BACKEND, BPF traces, silently" \
	sh -c "jq -e -s '.[-1].tracer.backend == \"bpf\"' '$T/o' >/dev/null && [ ! -s '$T/e' ]"
NSTRACE_BACKEND=bpf "$NST" --backend ptrace --json -- true >"$T/o" 2>&1
check "bpf: --backend overrides NSTRACE_BACKEND" jq_true "$T/o" '.[-1].tracer.backend == "ptrace"'
NSTRACE_BACKEND=bogus "$NST" -- true >/dev/null 2>"$T/e"; rc=$?
check "bpf: a bad NSTRACE_BACKEND is a usage error naming it" \
	sh -c "[ $rc = 2 ] && grep -q \"invalid NSTRACE_BACKEND 'bogus'\" '$T/e'"
