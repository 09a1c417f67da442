#!/bin/sh
# bpf.sh - what each backend costs a loaded dockerd 28.5 (a benchmark, not
# a test).
#
# The e2e lab with Debian sid's dockerd 28.5, dnsperf at full load (4
# clients) inside a container's netns to 127.0.0.11, forwarded to the lab's
# dnsmasq.  In every run: untraced, --backend bpf of an idle process (the
# tracepoint's own cost), --backend bpf, the variants older kernels load
# (forced here with NSTRACE_BPF_WITHOUT: 6.1's, without bpf_rdonly_cast;
# 5.10's, without the BTF task and its registers too), --backend bpf -k and
# --backend ptrace, the order rotating from run to run; each traced QPS is
# taken against the untraced QPS of the same run, and the medians of those
# ratios are reported, with the records BPF lost.  RUNS runs, DUR s each.
cd "$(dirname "$0")/../" || exit 2
RUNS=${RUNS:-9}
DUR=${DUR:-5}
. tests/lib.sh
. tests/e2e/lab.sh
LAB_DOCKER=28
LAB_DEPS="e2e bench"
trap '[ -n "$IDLE" ] && kill "$IDLE" 2>/dev/null; lab_down; cleanup' EXIT INT TERM
if ! build/nstrace --backend bpf -- true >/dev/null 2>"$T/probe"; then
	echo "### The BPF backend under load"
	echo
	echo "Not measured: $(head -1 "$T/probe")"
	exit 0
fi
lab_up >&2 || { echo "bench: the dockerd 28.5 lab could not be set up" >&2; exit 1; }
CTR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)
printf 'ok.nstrace.test A\n10.100.51.198.in-addr.arpa PTR\n' >"$T/queries"
# idle: the programs attached, to a process that makes no calls: what the
# raw syscall tracepoint alone costs every syscall on the machine
CONFIGS=${CONFIGS:-"untraced idle bpf bpf61 bpf510 bpf-k ptrace"} # untraced first, always
W510=bpf_rdonly_cast,bpf_get_current_task_btf,bpf_task_pt_regs

start_tracer() { # config -> sets TP (pid of the tracer, or empty)
	TP=""
	case $1 in
	idle)
		sleep 3600 &
		IDLE=$!
		build/nstrace --backend bpf --json -p "$IDLE" >"$T/out.$1" 2>&1 &
		TP=$!
		;;
	bpf) build/nstrace --backend bpf --json -p "$LAB_PID" >"$T/out.$1" 2>&1 & TP=$! ;;
	bpf61) NSTRACE_BPF_WITHOUT=bpf_rdonly_cast build/nstrace --backend bpf --json -p "$LAB_PID" \
		>"$T/out.$1" 2>&1 & TP=$! ;;
	bpf510) NSTRACE_BPF_WITHOUT=$W510 build/nstrace --backend bpf --json -p "$LAB_PID" \
		>"$T/out.$1" 2>&1 & TP=$! ;;
	bpf-k) build/nstrace --backend bpf -k --json -p "$LAB_PID" >"$T/out.$1" 2>&1 & TP=$! ;;
	ptrace) build/nstrace --json -p "$LAB_PID" >"$T/out.$1" 2>&1 & TP=$! ;;
	esac
	[ -n "$TP" ] && sleep 1.5 # let the attach settle
}

stop_tracer() { # config
	[ -n "$TP" ] || return 0
	kill -INT "$TP" 2>/dev/null
	wait "$TP" 2>/dev/null
	[ "$1" = idle ] && kill "$IDLE" 2>/dev/null && wait "$IDLE" 2>/dev/null
	grep '^{' "$T/out.$1" | jq -r 'select(.type == "summary") | .tracer.lost // 0' >>"$T/lost.$1"
}

set -- $CONFIGS
for r in $(seq "$RUNS"); do
	for c in "$@"; do
		start_tracer "$c"
		nsenter -t "$CTR_PID" -n dnsperf -s 127.0.0.11 -d "$T/queries" -l "$DUR" -c 4 -q 100 2>&1 |
			awk '/Queries per second/ {print $4}' >"$T/run.$c"
		cat "$T/run.$c" >>"$T/qps.$c"
		stop_tracer "$c"
		echo "bench bpf: run $r $c: $(cat "$T/run.$c") qps" >&2
	done
	for c in "$@"; do # within the run: the same minutes of the same machine
		awk -v a="$(cat "$T/run.$c")" -v b="$(cat "$T/run.untraced")" \
			'BEGIN {if (b > 0) print a / b}' >>"$T/ratio.$c"
	done
	first=$1
	shift
	set -- "$@" "$first"
done

. bench/lib.sh
echo "### The BPF backend under load (dockerd $(docker version -f '{{.Server.Version}}' 2>/dev/null))"
echo
echo "dnsperf, 4 clients, inside a container's netns to 127.0.0.11 (dockerd's"
echo "embedded resolver, forwarding to dnsmasq in the lab), ${DUR} s per measure,"
echo "$RUNS runs, the order rotating from run to run.  \"vs untraced\" is the"
echo "median of the ratios taken within each run; \"lost\" the records the ring"
echo "buffer had no room for, over all runs."
echo
echo "| dockerd traced by | QPS (median) | vs untraced | per run | lost |"
echo "|---|---|---|---|---|"
for c in $CONFIGS; do
	case $c in
	untraced) name="nothing" ;;
	idle) name="nstrace --backend bpf of an idle process" ;;
	bpf) name="nstrace --backend bpf" ;;
	bpf61) name="... as on 6.1 (no bpf_rdonly_cast)" ;;
	bpf510) name="... as on 5.10 (nor the BTF task, nor its registers)" ;;
	bpf-k) name="nstrace --backend bpf -k" ;;
	ptrace) name="nstrace (ptrace)" ;;
	esac
	lost=$( [ -s "$T/lost.$c" ] && awk '{s += $1} END {print s + 0}' "$T/lost.$c" || echo "-")
	printf '| %s | %.0f | %.2f | %s | %s |\n' "$name" "$(median <"$T/qps.$c")" "$(median <"$T/ratio.$c")" \
		"$(sort -n "$T/ratio.$c" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}')" "$lost"
done
