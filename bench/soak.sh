#!/bin/sh
# soak.sh - nstrace's memory over a long attach to a loaded dockerd (a
# benchmark, not a test).  SOAK seconds (default 600) of dnsperf at 200 QPS
# through dockerd's embedded resolver, with `nstrace -p dockerd -o FILE`
# attached; nstrace's RSS sampled every 10 s, start and end reported.
cd "$(dirname "$0")/../" || exit 2
SOAK=${SOAK:-600}
. tests/lib.sh
. tests/e2e/lab.sh
trap 'lab_down; cleanup' EXIT INT TERM
LAB_PKGS="$LAB_PKGS dnsperf"
lab_up >&2 || exit 1
CTR_PID=$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)
printf 'ok.nstrace.test A\n' >"$T/queries"
build/nstrace -p "$(pidof dockerd)" -o "$T/soak.jsonl" >/dev/null 2>&1 &
N=$!
sleep 2
nsenter -t "$CTR_PID" -n dnsperf -s 127.0.0.11 -d "$T/queries" -l "$SOAK" -Q 200 >"$T/perf" 2>&1 &
P=$!
: >"$T/rss"
while kill -0 $P 2>/dev/null; do
	awk '/VmRSS/ {print $2}' /proc/$N/status >>"$T/rss"
	sleep 10
done
kill -INT $N
wait $N
first=$(head -1 "$T/rss"); last=$(tail -1 "$T/rss"); max=$(sort -n "$T/rss" | tail -1)
echo "### Memory over a ${SOAK} s attach (dnsperf at 200 QPS, -o FILE)"
echo
echo "nstrace RSS: $first KiB after attach, $last KiB at the end, $max KiB at most"
echo "($(wc -l <"$T/rss") samples, every 10 s); $(awk '/Queries completed/ {print $3}' "$T/perf") queries, recording $(($(stat -c %s "$T/soak.jsonl") / 1048576)) MiB."
