#!/bin/sh
# Attaching while the target creates and ends threads in a tight loop:
# no hang, and no thread missed.  Thread N writes N into a socketpair, so
# the sequence numbers in nstrace's events must have no gap (beyond the
# few threads already running at the attach and detach boundaries).
. tests/lib.sh

bg "$PROGS/thread_churn" 60 >"$T/out"
pid=$BG
wait_for_line "$T/out" ready || { fail "churn: fixture did not start"; exit 0; }
sleep 0.3

# 4 s: the count depends on the machine's speed (an ASan build on a busy
# shared host made 162 threads in 2 s once)
timeout 30 "$NST" --json --events --duration 4 -p "$pid" >"$T/ev.jsonl" 2>"$T/err"
check "churn: nstrace attached under churn and finished (no hang)" [ $? -eq 0 ]

# Sequence numbers: the 8-byte little-endian payload of each write.
grep '^{' "$T/ev.jsonl" | jq -r 'select(.syscall=="write" and .ret==8) | .payload' |
	while read -r h; do
		# little endian hex -> decimal
		le=$(echo "$h" | sed 's/\(..\)/\1 /g' | awk '{for (i=NF; i>0; i--) printf "%s", $i}')
		printf '%d\n' "0x$le"
	done | sort -n >"$T/seq"
n=$(wc -l <"$T/seq")
check "churn: thousands of short-lived threads were traced ($n)" [ "$n" -gt 200 ]
# Up to 4 threads run at once: allow gaps only in the first/last 8 numbers.
# Gaps near the end come from threads alive at detach: drop the tail first.
head -n $((n - 8)) "$T/seq" >"$T/seq.mid"
gaps=$(awk 'NR > 8 && $1 != prev + 1 { g++ } { prev = $1 } END { print g + 0 }' "$T/seq.mid")
check "churn: no thread was missed (no gap in sequence numbers)" [ "$gaps" -eq 0 ]
check "churn: every socket event came from a distinct short-lived thread" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="socketpair")] | (map(.tid) | unique | length) == length'
check "churn: target alive, untraced, nothing stopped" alive_and_free "$pid"
