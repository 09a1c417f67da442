#!/bin/sh
# replay.sh - strace log import speed (a benchmark, not a test).
#
# Five logs of at least 30 MB each, recorded here and kept under bench/data/
# (never committed; delete them to record again):
#   dockerd20.strace  strace -f -tt -yy -p of the e2e lab's dockerd 20.10
#                     while dnsperf loads its embedded resolver: Go runtime
#                     noise, unfinished/resumed pairs, recvmsg/sendmsg with
#                     IP_PKTINFO cmsgs, setns around every forwarded query;
#   dockerd20mix.strace  the same under another mix (load_mix): more
#                     clients, three containers, failing upstreams;
#   dockerd20slow.strace  the same with an upstream 20 ms away (load_slow):
#                     EAGAIN reads, many queries in flight at once;
#   dockerd20names.strace  the same with every query a name of its own
#                     (load_names);
#   dockerd20s510.strace  the plain load recorded by another strace:
#                     Debian 11's 5.10 (deb_fetch), as a log from an
#                     older distribution is;
#   busy.strace       strace -f -tt -yy of the article-pattern fixture.
# Each is timed with `nstrace replay` (stage 1 of the import in a thread of
# its own, the default, and in one thread) against `wc -l`, RUNS runs in
# rotating order; medians of MB/s, events/s, peak RSS, and of the ratio of
# the two modes within each run.
#
# This machine's speed changes by 2x and more from day to day, so an
# absolute MB/s only compares within a run.  The unit that does compare:
# the build of REF (default 77e4292, the code issue 26 measured at 596 MB/s
# on its dockerd20 log, two threads) is timed on dockerd20.strace in each
# run too, from the git history (skipped in a clone without it), and each
# log's speed is also given in that unit: 596 MB/s x (its MB/s / REF's).
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
MIN=30000000
mkdir -p bench/data
. tests/lib.sh
. bench/lib.sh

big_enough() { [ -s "$1" ] && [ "$(stat -c %s "$1")" -ge $MIN ]; }

record_busy() {
	ns=$(netns_new bench) || return 1
	echo "recording $1 (strace -f -tt -yy of ns_pattern, 16000 rounds)..." >&2
	strace -f -tt -yy -s 512 -o "$1" build/progs/ns_pattern /run/netns/$ns 16000 2>/dev/null
}

# dockerd 20.10 in the e2e lab, attached by strace -p while dnsperf runs
# inside the container's netns, 5 s at a time until the log is big enough.
. tests/e2e/lab.sh
LAB_DEPS="e2e bench"
LAB_DOCKER=20
LAB_WAS_UP=""
SLOW_PID=""
trap 'slow_down; [ -n "$LAB_WAS_UP" ] && lab_down; cleanup' EXIT INT TERM

# record_lab LOG LOAD: strace -f -tt -yy -p of the lab's dockerd while LOAD
# (a function) runs, until LOG is big enough
record_lab() {
	LAB_WAS_UP=1
	lab_up >&2 || { echo "bench: the dockerd lab could not be set up" >&2; return 1; }
	printf 'ok.nstrace.test A\n10.100.51.198.in-addr.arpa PTR\nok.nstrace.test AAAA\nnx.nstrace.test A\n' >"$T/queries"
	echo "recording $1 (strace -f -tt -yy -p dockerd under dnsperf, $2)..." >&2
	"$STRACE" -f -tt -yy -s 512 -o "$1.tmp" -p "$LAB_PID" 2>/dev/null &
	sp=$!
	sleep 1.5
	i=0
	while ! big_enough "$1.tmp" && [ $i -lt 30 ]; do
		$2
		i=$((i + 1))
	done
	kill -INT $sp
	wait $sp
	slow_down
	lab_down
	LAB_WAS_UP=""
	mv "$1.tmp" "$1"
}

dnsperf_in() { # CONTAINER CLIENTS SECONDS
	nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n \
		dnsperf -s 127.0.0.11 -d "$T/queries" -l "$3" -c "$2" -q 100 >/dev/null 2>&1
}

# 4 clients in one container, every query answered
load_plain() { dnsperf_in $LAB_CTR 4 5; }

# another mix: 16 clients over three containers (the answered one, the one
# whose --dns is a loopback server nothing listens on, the one whose server
# is unreachable), and in every other round dockerd's forwarded queries
# dropped (DOCKER-USER): answers, refusals, errors and timeouts together
load_mix() {
	[ $((i % 2)) = 1 ] && lab_rule -p udp --dport 53 -j DROP
	dnsperf_in $LAB_CTR 8 5 &
	p1=$!
	dnsperf_in $LAB_LOCTR 4 5 &
	p2=$!
	dnsperf_in $LAB_UNRCTR 4 5
	wait $p1 $p2 # not a bare wait: strace is a child too
	[ $((i % 2)) = 1 ] && lab_unrule -p udp --dport 53 -j DROP
}

# a third mix: an upstream 20 ms away (build/slowdns behind a REDIRECT in
# the upstream's netns, dnsmasq left as it is), so that dockerd's reads of
# its upstream sockets find nothing yet (EAGAIN) and up to dockerd's limit
# of queries are in flight at once, as across a real network
load_slow() {
	if [ -z "$SLOW_PID" ]; then
		ip netns exec $LAB_UP build/slowdns 198.51.100.53 5353 20 &
		SLOW_PID=$!
		ip netns exec $LAB_UP iptables -t nat -A PREROUTING -p udp --dport 53 -j REDIRECT --to-ports 5353
	fi
	dnsperf_in $LAB_CTR 16 5
}
slow_down() {
	[ -n "$SLOW_PID" ] || return 0
	ip netns exec $LAB_UP iptables -t nat -D PREROUTING -p udp --dport 53 -j REDIRECT --to-ports 5353 2>/dev/null
	kill "$SLOW_PID" 2>/dev/null
	wait "$SLOW_PID" 2>/dev/null
	SLOW_PID=""
}

# a fourth mix: every query a name of its own (20000 names under
# ok.nstrace.test, which dnsmasq answers for every subdomain), so that
# whatever is kept by name (lookups, rows, findings) meets a new one each
# time
load_names() {
	[ -s "$T/names" ] || seq 20000 | awk '{printf "q%d.ok.nstrace.test A\n", $1}' >"$T/names"
	nsenter -t "$(docker inspect -f '{{.State.Pid}}' $LAB_CTR)" -n \
		dnsperf -s 127.0.0.11 -d "$T/names" -l 5 -c 8 -q 100 >/dev/null 2>&1
}

STRACE=strace
record_dockerd20() { record_lab "$1" load_plain; }
record_dockerd20s510() {
	deb_fetch bullseye strace build/strace510 && [ -x build/strace510/root/usr/bin/strace ] || {
		echo "bench: Debian 11's strace could not be fetched" >&2
		return 1
	}
	STRACE=build/strace510/root/usr/bin/strace
	record_lab "$1" load_plain
	r=$?
	STRACE=strace
	return $r
}
record_dockerd20names() { record_lab "$1" load_names; }
record_dockerd20slow() { record_lab "$1" load_slow; }
record_dockerd20mix() { record_lab "$1" load_mix; }

# REF's build, made once under build/ref/
REF=${REF:-77e4292}
REF_BIN=""
ref_build() {
	d=build/ref/$REF
	if [ ! -x "$d/build/nstrace" ]; then
		git cat-file -e "$REF^{commit}" 2>/dev/null || return 1
		rm -rf "$d" && mkdir -p "$d" && git archive "$REF" | tar x -C "$d" &&
			make -C "$d" build/nstrace >"$d.log" 2>&1 || return 1
	fi
	REF_BIN=$d/build/nstrace
}
ref_build || echo "bench: no build of $REF (not in this clone's history?): no reference unit" >&2

LOGS=""
for f in dockerd20 dockerd20mix dockerd20slow dockerd20names dockerd20s510 busy; do
	log=bench/data/$f.strace
	big_enough "$log" || record_$f "$log" || { rm -f "$log" "$log.tmp"; continue; }
	big_enough "$log" && LOGS="$LOGS $log"
done

# rotate the order of the logs from run to run; in each run, each log
# with stage 1 of the import in a thread of its own (the default) and in
# one thread (NSTRACE_REPLAY_THREADS=1)
for i in $(seq "$RUNS"); do
	for log in $LOGS; do
		k=$(basename "$log" .strace)
		[ -n "$REF_BIN" ] && [ "$k" = dockerd20 ] && ms_of "$REF_BIN" replay "$log" >>"$T/ref"
		ms_of wc -l "$log" >>"$T/$k.wc"
		two=$(ms_of build/nstrace replay "$log")
		one=$(export NSTRACE_REPLAY_THREADS=1; ms_of build/nstrace replay "$log")
		echo "$two" >>"$T/$k.rep"
		echo "$one" >>"$T/$k.one"
		awk -v a="$two" -v b="$one" 'BEGIN {if (a > 0) print b / a}' >>"$T/$k.ratio"
		/usr/bin/time -f %M build/nstrace replay "$log" 2>&1 >/dev/null | tail -1 >>"$T/$k.rss"
	done
	LOGS="$(echo $LOGS | cut -s -d' ' -f2-) $(echo $LOGS | cut -d' ' -f1)"
done

mbs() { awk -v b="$1" -v ms="$2" 'BEGIN {printf "%.0f", b / 1000000 / (ms / 1000)}'; }

echo "### strace log import (\`nstrace replay\`)"
echo
echo "Median of $RUNS runs each, the logs measured in rotating order; \"two threads\""
echo "is the default (stage 1 of the import in a thread of its own), \"one\" is"
echo "\`NSTRACE_REPLAY_THREADS=1\`; the ratio is taken within each run."
echo
ref_ms=""
[ -s "$T/ref" ] && ref_ms=$(median <"$T/ref")
[ "${ref_ms:-0}" -gt 0 ] || ref_ms=""
echo "| log | size | lines | network events | two threads | one thread | two vs one | two threads in $REF units | events/s | peak RSS | wc -l |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for log in bench/data/dockerd20.strace bench/data/dockerd20mix.strace bench/data/dockerd20slow.strace \
	bench/data/dockerd20names.strace bench/data/dockerd20s510.strace bench/data/busy.strace; do
	k=$(basename "$log" .strace)
	[ -s "$T/$k.rep" ] || continue
	bytes=$(stat -c %s "$log")
	events=$(build/nstrace replay --json "$log" | jq -r 'select(.type=="summary") | .input.events')
	rep=$(median <"$T/$k.rep")
	one=$(median <"$T/$k.one")
	[ "$rep" -gt 0 ] || rep=1
	[ "$one" -gt 0 ] || one=1
	rss=$(median <"$T/$k.rss")
	eps=$(awk -v e="$events" -v ms="$rep" 'BEGIN {printf "%.0f", e / (ms / 1000)}')
	unit=-
	[ -n "$ref_ms" ] && unit=$(awk -v b="$bytes" -v ms="$rep" -v rb="$(stat -c %s bench/data/dockerd20.strace)" \
		-v rms="$ref_ms" 'BEGIN {printf "%.0f MB/s", 596 * (b / ms) / (rb / rms)}')
	printf '| `%s` | %s MB | %s | %s | %s ms, %s MB/s | %s ms, %s MB/s | %.2f | %s | %s | %s MiB | %s ms |\n' "$log" \
		$((bytes / 1000000)) "$(wc -l <"$log")" "$events" "$rep" "$(mbs "$bytes" "$rep")" \
		"$one" "$(mbs "$bytes" "$one")" "$(median <"$T/$k.ratio")" "$unit" "$eps" $((rss / 1024)) \
		"$(median <"$T/$k.wc")"
	echo "$k: two threads, per run: $(sort -n "$T/$k.rep" | tr '\n' ' ')ms" >>"$T/runs"
done
[ -n "$ref_ms" ] && echo "$REF on dockerd20 (the unit): per run: $(sort -n "$T/ref" | tr '\n' ' ')ms, median $ref_ms ms, $(mbs "$(stat -c %s bench/data/dockerd20.strace)" "$ref_ms") MB/s" >>"$T/runs"
echo
cat "$T/runs"
echo
echo "dockerd20: strace -f -tt -yy -s 512 -p of dockerd 20.10 under dnsperf (the e2e lab);"
echo "dockerd20mix: the same under 16 clients in three containers (answered, a loopback"
echo "server nothing listens on, an unreachable one), forwarded queries dropped every"
echo "other round;"
echo "dockerd20slow: the same with an upstream that answers 20 ms late (bench/slowdns.c),"
echo "16 clients: reads that find nothing yet (EAGAIN), many queries in flight;"
echo "dockerd20names: the same, every query a name of its own (20000 names), 8 clients;"
echo "dockerd20s510: the plain load recorded by Debian 11's strace 5.10;"
echo "busy: strace -f -tt -yy -s 512 of the article-pattern fixture.  MB is 10^6 bytes."
