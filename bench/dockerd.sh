#!/bin/sh
# dockerd.sh - what tracing costs a loaded dockerd (a benchmark, not a test).
#
# The e2e lab (tests/e2e/lab.sh), dnsperf from Debian sending to 127.0.0.11
# inside the container's netns, so every query goes through dockerd's
# embedded resolver to the lab's dnsmasq.  For each tracer, in the same run:
# full-load QPS (4 clients) and mean latency at 100 QPS.  RUNS runs, medians.
cd "$(dirname "$0")/../" || exit 2
RUNS=${RUNS:-5}
DUR=${DUR:-5}
. tests/lib.sh
. tests/e2e/lab.sh
trap 'lab_down; cleanup' EXIT INT TERM
LAB_DEPS="e2e bench"
lab_up >&2 || { echo "bench: the dockerd lab could not be set up" >&2; exit 1; }
CTR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)
printf 'ok.nstrace.test A\n10.100.51.198.in-addr.arpa PTR\n' >"$T/queries"
CONFIGS=${CONFIGS:-"untraced floor strace nstrace nstrace-o nstrace-k"}

start_tracer() { # config -> sets TP (pid of the tracer, or empty)
	d=$(pidof dockerd)
	TP=""
	case $1 in
	floor) build/floor "$d" & TP=$! ;;
	strace) strace -f -qq -e trace=%network,setns -o /dev/null -p "$d" & TP=$! ;;
	nstrace) build/nstrace -p "$d" >/dev/null 2>&1 & TP=$! ;;
	nstrace-o) build/nstrace -p "$d" -o "$T/rec.jsonl" >/dev/null 2>&1 & TP=$! ;;
	nstrace-k) build/nstrace -k -p "$d" >/dev/null 2>&1 & TP=$! ;;
	esac
	[ -n "$TP" ] && sleep 1.5 # let the attach settle
}

stop_tracer() {
	[ -n "$TP" ] || return 0
	kill -INT "$TP" 2>/dev/null
	wait "$TP" 2>/dev/null
}

perf() { # extra dnsperf args -> its output
	nsenter -t "$CTR_PID" -n dnsperf -s 127.0.0.11 -d "$T/queries" -l "$DUR" "$@" 2>&1
}

# rotate: run r starts at configuration r, so that no configuration always
# comes first (or last) on a machine whose load drifts
set -- $CONFIGS
for r in $(seq "$RUNS"); do
	for c in "$@"; do
		start_tracer "$c"
		perf -c 4 -q 100 | awk '/Queries per second/ {print $4}' >"$T/run.$c"
		cat "$T/run.$c" >>"$T/qps.$c"
		perf -c 1 -Q 100 | awk '/Average Latency/ {print $4 * 1000}' >>"$T/lat.$c"
		stop_tracer
		echo "bench: run $r $c: $(tail -1 "$T/qps.$c") qps, $(tail -1 "$T/lat.$c") ms" >&2
	done
	# ratios within this run: the same minutes of the same machine
	for c in "$@"; do
		[ -s "$T/run.floor" ] && awk -v a="$(cat "$T/run.$c")" -v b="$(cat "$T/run.floor")" \
			'BEGIN {if (b > 0) print a / b}' >>"$T/ratio.$c"
	done
	[ -s "$T/run.nstrace" ] && [ -s "$T/run.nstrace-k" ] &&
		awk -v a="$(cat "$T/run.nstrace-k")" -v b="$(cat "$T/run.nstrace")" \
			'BEGIN {if (b > 0) print a / b}' >>"$T/ratio.k"
	first=$1
	shift
	set -- "$@" "$first"
done

. bench/lib.sh
echo "### dockerd under load (attach mode)"
echo
echo "dnsperf inside the container's netns to 127.0.0.11 (dockerd's embedded"
echo "resolver, forwarding to dnsmasq in the lab), ${DUR} s per measure, $RUNS runs."
echo "Every configuration is measured in each run, the order rotating from run"
echo "to run; \"vs floor\" is the median of the ratios taken within each run."
echo
echo "| dockerd traced by | QPS, 4 clients (median) | vs floor | mean latency at 100 QPS |"
echo "|---|---|---|---|"
for c in $CONFIGS; do
	q=$(median <"$T/qps.$c")
	l=$(median <"$T/lat.$c")
	v=$( [ -s "$T/ratio.$c" ] && median <"$T/ratio.$c" || echo 0)
	case $c in
	untraced) name="nothing" ;;
	floor) name="the ptrace floor (bench/floor.c: SEIZE, GET_SYSCALL_INFO, SYSCALL)" ;;
	strace) name='`strace -f -qq -e trace=%network,setns -o /dev/null`' ;;
	nstrace) name="nstrace" ;;
	nstrace-o) name="nstrace -o FILE" ;;
	nstrace-k) name="nstrace -k" ;;
	esac
	printf '| %s | %.0f | %.2f | %.2f ms |\n' "$name" "$q" "$v" "$l"
done
if [ -s "$T/ratio.k" ]; then
	echo
	printf 'nstrace -k against nstrace, median of the per-run ratios: %.2f (runs: %s).\n' \
		"$(median <"$T/ratio.k")" "$(sort -n "$T/ratio.k" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}')"
fi
if [ -s "$T/ratio.nstrace" ]; then
	printf 'nstrace against the floor, per run: %s.\n' \
		"$(sort -n "$T/ratio.nstrace" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}')"
fi
