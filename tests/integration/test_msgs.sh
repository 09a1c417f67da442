#!/bin/sh
# Batched and vectored socket calls decode into one event per datagram with
# gathered payloads; accepted sockets take their listener's netns.
. tests/lib.sh

ns=$(netns_new msg) || { fail "msgs: create netns"; exit 0; }
ino=$(netns_ino "$ns")
timeout 20 "$NST" --json --events -- "$PROGS/msgs" "/run/netns/$ns" >"$T/ev.jsonl" 2>"$T/err"
check "msgs: the fixture ran to completion under trace" [ $? -eq 0 ]
check "sendmmsg: one event per datagram, in order, with each payload" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="sendmmsg")] | length == 2 and .[0].payload == "6f6e65" and .[1].payload == "74776f" and .[1].msg_index == 1 and .[0].addr == "127.0.0.1:5353"'
check "recvmmsg: the received datagrams are events too" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="recvmmsg")] | length >= 1 and .[0].payload == "6f6e65"'
check "sendmsg/recvmsg: payload and msg_name decoded" \
	jq_true "$T/ev.jsonl" '([.[] | select(.syscall=="sendmsg")][0] | .payload == "686472" and .addr == "127.0.0.1:5353") and ([.[] | select(.syscall=="recvmsg")][0] | .payload == "686472" and (.addr | startswith("127.0.0.1:")))'
check "writev: prefix and body iovecs gather into one payload" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="writev")] | length == 1 and .[0].payload == "000568656c6c6f" and .[0].sock.proto == "tcp"'
check "readv: gathered the same 7 bytes on the accepted socket" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="readv")] | length == 1 and .[0].payload == "000568656c6c6f"'
check "accept4: the accepted socket lives in the listener's netns, not the caller's" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"accept4\")] | length == 1 and .[0].sock.netns.ino == $ino and .[0].thread_netns.ino != $ino and .[0].sock.foreign"
check "accept4: the readv on the accepted fd is tagged with that netns" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"readv\")][0].sock.netns.ino == $ino"
