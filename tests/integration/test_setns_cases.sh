#!/bin/sh
# The thread's netns after every kind of setns, as the tracer sees it,
# equals the truth read by the program itself: fds learned and cached as
# netns fds, fd numbers reused for another netns, nstype 0, dup2 over a
# cached fd, pidfds, a non-net namespace fd.
. tests/lib.sh

a=$(netns_new sa) || { fail "setns: create netns"; exit 0; }
b=$(netns_new sb) || { fail "setns: create netns"; exit 0; }
timeout 20 "$NST" --json --events -- "$PROGS/setns_cases" "/run/netns/$a" "/run/netns/$b" \
	>"$T/ev.jsonl" 2>"$T/err"
check "setns: the fixture ran every step under trace" [ $? -eq 0 ]
awk '/^S / {print $2}' "$T/err" >"$T/truth"
jq -r 'select(.type == "event" and .syscall == "socket") | .sock.netns.ino' "$T/ev.jsonl" >"$T/seen"
check "setns: $(wc -l <"$T/truth") sockets made, one socket event each" \
	[ "$(wc -l <"$T/truth")" -ge 20 ] && [ "$(wc -l <"$T/truth")" = "$(wc -l <"$T/seen")" ]
check "setns: every socket's netns is the one the program was really in" cmp -s "$T/truth" "$T/seen"
pid=$(jq -r 'select(.syscall == "socket") | .pid' "$T/ev.jsonl" | head -1)
check "setns: the uts setns made no net event (one per net setns of the program)" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall == \"setns\" and .pid == $pid)] | length == $(($(wc -l <"$T/truth") - 1))"
check "setns: the netns paths were learned (bind mounts of the test)" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall == \"setns\") | .ns_new.path] | index(\"/run/netns/$a\") != null and index(\"/run/netns/$b\") != null"
