#!/bin/sh
# replay.sh - strace log import speed (a benchmark, not a test).
#
# Records a strace log of at least 30 MB from a busy traced process (the
# article pattern fixture in a namespace made here, under strace -f -tt -yy),
# keeps it under bench/data/ (never committed), then times
# `nstrace replay` on it against `wc -l`, five runs each, and reports
# medians: MB/s, events/s, and peak RSS.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
LOG=bench/data/busy.strace
mkdir -p bench/data
if [ ! -s "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt 30000000 ]; then
	ns=nstrace-bench-$$
	ip netns add $ns && ip -n $ns link set lo up || exit 1
	echo "recording $LOG (strace -f -tt -yy of ns_pattern, 16000 rounds)..." >&2
	strace -f -tt -yy -s 512 -o "$LOG" build/progs/ns_pattern /run/netns/$ns 16000 2>/dev/null
	ip netns del $ns
fi
bytes=$(stat -c %s "$LOG")

. bench/lib.sh

: >/tmp/nst-bench.rep
: >/tmp/nst-bench.wc
: >/tmp/nst-bench.rss
for i in $(seq "$RUNS"); do
	ms_of wc -l "$LOG" >>/tmp/nst-bench.wc
	ms_of build/nstrace replay "$LOG" >>/tmp/nst-bench.rep
	/usr/bin/time -f %M build/nstrace replay "$LOG" 2>&1 >/dev/null | tail -1 >>/tmp/nst-bench.rss
done
events=$(build/nstrace replay --json "$LOG" | jq -r 'select(.type=="summary") | .input.events')
lines=$(wc -l <"$LOG")
rep=$(median </tmp/nst-bench.rep)
wc=$(median </tmp/nst-bench.wc)
rss=$(median </tmp/nst-bench.rss)
[ "$rep" -gt 0 ] || rep=1
mbs=$(awk -v b="$bytes" -v ms="$rep" 'BEGIN {printf "%.0f", b / 1048576 / (ms / 1000)}')
eps=$(awk -v e="$events" -v ms="$rep" 'BEGIN {printf "%.0f", e / (ms / 1000)}')
rm -f /tmp/nst-bench.rep /tmp/nst-bench.wc /tmp/nst-bench.rss

cat <<EOT
### strace log import (\`nstrace replay\`)

Input: \`$LOG\`, $((bytes / 1000000)) MB, $lines lines, $events network events
(strace -f -tt -yy -s 512 of the article-pattern fixture).  Median of $RUNS runs.

| measure | nstrace replay | wc -l (same file) |
|---|---|---|
| wall time | $rep ms | $wc ms |
| throughput | $mbs MiB/s | |
| events/s | $eps | |
| peak RSS | $((rss / 1024)) MiB ($rss KiB) | |
EOT
