#!/bin/sh
# Sockets created in another netns before nstrace attached are tagged
# correctly, by asking the kernel (pidfd_getfd + SIOCGSKNS).
. tests/lib.sh

ns=$(netns_new pre) || { fail "pre-attach: create netns"; exit 0; }
ino=$(netns_ino "$ns")

bg "$PROGS/pre_sockets" "/run/netns/$ns" 30 >"$T/out"
wait_for_line "$T/out" ready || { fail "pre-attach: fixture did not start"; exit 0; }
pid=$BG
srv=$(awk '/ready/ {print $2}' "$T/out")
cli=$(awk '/ready/ {print $3}' "$T/out")

timeout 20 "$NST" --json --events --duration 1 -p "$pid" >"$T/ev.jsonl" 2>"$T/err"
check "pre-attach: nstrace attached, ran 1 s and exited 0" [ $? -eq 0 ]
S="[.[] | select(.type==\"event\" and .pid==$pid and .fd==$cli and .syscall==\"sendto\")]"
check "pre-attach: the client's sends were seen" jq_true "$T/ev.jsonl" "$S | length > 5"
check "pre-attach: the pre-existing socket is in the test netns ($ino)" \
	jq_true "$T/ev.jsonl" "$S | all(.sock.netns.ino == $ino)"
check "pre-attach: it is foreign, and its netns was queried, not guessed" \
	jq_true "$T/ev.jsonl" "$S | all(.sock.foreign and .sock.netns_origin == \"queried\")"
check "pre-attach: its addresses were recovered from the kernel" \
	jq_true "$T/ev.jsonl" "$S | all(.sock.peer == \"127.0.0.1:53\" and (.sock.local | startswith(\"127.0.0.1:\")))"
check "pre-attach: the server socket too" \
	jq_true "$T/ev.jsonl" "[.[] | select(.fd==$srv and .syscall==\"recvfrom\")] | length > 5 and all(.sock.netns.ino == $ino and .sock.local == \"127.0.0.1:53\")"
check "pre-attach: after detach the fixture runs on, untraced and not stopped" \
	alive_and_free "$pid"
