#!/bin/sh
# run.sh - nstrace against real dockerds: Debian 12's docker.io 20.10, then
# Debian sid's 28.5 (never both at once).
#
# Each scenario attaches `nstrace -p <dockerd> --json -o REC`, runs a lookup
# in a container, stops nstrace with SIGINT, and checks its JSON
# (tests/e2e/docker20.sh, docker28.sh).  E2E_SAVE=1 copies the recordings
# into fixtures/ with expectation files; E2E_ONLY=20, 28 or podman runs one lab;
# E2E_DIAGNOSE_ONLY=1 only the diagnose scenarios (tests/e2e/diagnose.sh).
# A version whose dockerd cannot run here is reported as skipped.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/e2e/lab.sh
trap 'lab_down; cleanup' EXIT INT TERM

skip() { echo "SKIP: $*"; }
F() { echo "[.[] | select(.type==\"finding\" and .id==\"$1\")]"; }
SUM='[.[] | select(.type=="summary")][0]'

# quiet FILE: until FILE has not grown for a second, 8 s at most
quiet() {
	last=-1 still=0
	for _ in $(seq 32); do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge 4 ] && return 0
		else
			still=0
		fi
		last=$size
		sleep 0.25
	done
}

# trace_opts "NSTRACE-OPTIONS" NAME CMD...: nstrace attached to the lab's
# dockerd around one command; trace NAME CMD... without extra options.
# Where BPF can run, a second nstrace with --backend bpf watches the same
# calls at the same time (BPF does not mind ptrace): it must give the same
# findings and summary counts.
trace_opts() {
	opts=$1 name=$2
	shift 2
	# shellcheck disable=SC2086 # the options are words
	"$NST" $opts -p "$LAB_PID" --json -o "$T/$name.rec.jsonl" >"$T/$name.jsonl" 2>"$T/$name.err" &
	nst=$!
	bnst=""
	if [ -n "$E2E_BPF" ]; then
		# shellcheck disable=SC2086
		"$NST" $opts --backend bpf -p "$LAB_PID" --json -w "$T/$name.bpf.pcapng" \
			>"$T/$name.bpf.jsonl" 2>"$T/$name.bpf.err" &
		bnst=$!
		bpf_loaded
	fi
	sleep 1 # attached by now: the first stops have been handled
	"$@" >"$T/$name.cmd" 2>&1
	echo $? >"$T/$name.rc"
	# dockerd may still answer a query the client gave up on (a forward
	# that times out): end both traces once its recording has been still
	# for a second (at most 8 s), not while such an answer is being sent,
	# which one backend would see and the other not
	quiet "$T/$name.rec.jsonl"
	kill -INT $nst $bnst # together: both end the trace at the same moment
	wait $nst
	echo $? >"$T/$name.nstrc"
	if [ -n "$bnst" ]; then
		wait $bnst
		check "e2e $DV $name: --backend bpf, watching the same calls, gives ptrace's findings and summary counts" \
			same_backends "$name"
	fi
}

# The comparison: findings (id, severity, result, count, netns, asking) and
# the summary's counts and rows.  Not compared: latencies; a netns path (a
# ptrace trace reads the bind mount of a setns fd from /proc, a BPF record
# has the inode, and the lab's 28.5 keeps its netns files where no scan
# looks); and which path each attempt took per asker (attempts_from): with
# thousands of lookups in flight, ptrace sees the stops of different threads
# in the order waitpid gives them, and may pair an attempt later than the
# kernel's own order does.
backend_view() {
	grep '^{' "$1" | jq -c -S 'select(.type == "finding" or .type == "summary") |
		if .type == "finding" then [.id, .severity, .result, .count, .netns.inode, .asking.inode]
		else {q: .dns_queries_sent, a: .dns_responses_received, qr: .dns_queries_received,
		      rs: .dns_responses_sent,
		      ups: ([.upstreams[] | del(.latency_ms) | .netns |= del(.path) | .asking |= (if . then del(.path) else . end)] | sort),
		      lookups: ([.lookups[] | del(.attempts_from) | .asking |= del(.path)] | sort)} end' | sort
}
same_backends() {
	backend_view "$T/$1.jsonl" >"$T/$1.view.ptrace"
	backend_view "$T/$1.bpf.jsonl" >"$T/$1.view.bpf"
	cmp -s "$T/$1.view.ptrace" "$T/$1.view.bpf" && [ -s "$T/$1.view.bpf" ] ||
		{ diff "$T/$1.view.ptrace" "$T/$1.view.bpf" | head -6 >&2; return 1; }
}
trace() { trace_opts "" "$@"; }

# flood NAME PID: nstrace around dnsperf in PID's netns, keeping up to 3000
# of 2400 lookups (600 a second) in flight at 127.0.0.11 while DOCKER-USER
# drops what dockerd forwards (each then waits for dockerd's timeout)
flood() {
	i=0
	while [ $i -lt 2400 ]; do i=$((i + 1)); echo "q$i.nstrace.test A"; done >"$T/queries"
	lab_rule -p udp --dport 53 -j DROP
	trace "$1" sh -c "nsenter -t $2 -n dnsperf -s 127.0.0.11 -d $T/queries -n 1 -q 3000 -Q 600 -l 6 -t 5; sleep 5"
	lab_unrule -p udp --dport 53 -j DROP
}

# same_replay NAME: the recording replays to the live findings
same_replay() {
	"$NST" replay --json "$T/$1.rec.jsonl" >"$T/$1.replay" 2>&1
	[ "$(grep '^{' "$T/$1.jsonl" | jq -S -c 'select(.type=="finding") | del(.first_ts, .last_ts)' | sort)" = \
	  "$(grep '^{' "$T/$1.replay" | jq -S -c 'select(.type=="finding") | del(.first_ts, .last_ts)' | sort)" ]
}

# save_fixture NAME FIXTURE: with E2E_SAVE, keep the recording and its
# expectation as fixtures/FIXTURE.{jsonl,expect.json}
save_fixture() {
	[ -n "$E2E_SAVE" ] || return 0
	cp "$T/$1.rec.jsonl" "fixtures/$2.jsonl"
	"$NST" check --write-expect "fixtures/$2.expect.json" "fixtures/$2.jsonl" >/dev/null
	echo "e2e: saved fixtures/$2.jsonl" >&2
}

for LAB_DOCKER in 20 28; do
	[ -n "$E2E_ONLY" ] && [ "$E2E_ONLY" != "$LAB_DOCKER" ] && continue
	if ! lab_up; then
		skip "e2e $LAB_DOCKER: the dockerd lab could not be set up here; its scenarios skipped"
		lab_down
		continue
	fi
	DV=$(docker version -f '{{.Server.Version}}' 2>/dev/null)
	E2E_BPF=""
	"$NST" --backend bpf -- true >/dev/null 2>&1 && E2E_BPF=1
	echo "e2e: dockerd $DV (pid $LAB_PID)" >&2
	[ -z "$E2E_DIAGNOSE_ONLY" ] && . "tests/e2e/docker$LAB_DOCKER.sh"
	. tests/e2e/diagnose.sh
	lab_down
done
# Podman (rootful, netavark and aardvark-dns), with diagnose's helpers
[ -z "$E2E_ONLY" ] || [ "$E2E_ONLY" = podman ] && . tests/e2e/diagnose_lib.sh && . tests/e2e/podman.sh
