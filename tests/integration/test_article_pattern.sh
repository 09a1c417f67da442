#!/bin/sh
# The seed article's pattern, live: setns(ns) -> socket -> connect ->
# setns(home) -> write, with the answer read by another thread.
. tests/lib.sh

ns=$(netns_new art) || { fail "article: create netns"; exit 0; }
ino=$(netns_ino "$ns")
home=$(stat -L -c %i /proc/self/ns/net)

timeout 30 "$NST" --json --events -- "$PROGS/ns_pattern" "/run/netns/$ns" 3 >"$T/ev.jsonl" 2>"$T/err"
check "article: the traced program ran to completion under nstrace" [ $? -eq 0 ]

W='[.[] | select(.type=="event" and .syscall=="write" and (.payload // "" | startswith("77f4")))]'
check "article: every query write is an event (3 rounds)" \
	jq_true "$T/ev.jsonl" "$W | length == 3"
check "article: the write's socket lives in the test netns ($ino)" \
	jq_true "$T/ev.jsonl" "$W | all(.sock.netns.ino == $ino)"
check "article: the write's socket is flagged foreign" \
	jq_true "$T/ev.jsonl" "$W | all(.sock.foreign == true)"
check "article: the sending thread was back home ($home) at the write" \
	jq_true "$T/ev.jsonl" "$W | all(.thread_netns.ino == $home and .home_netns.ino == $home)"
check "article: the socket netns was learned at creation" \
	jq_true "$T/ev.jsonl" "$W | all(.sock.netns_origin == \"created\")"
check "article: the netns path of the socket is the bind mount" \
	jq_true "$T/ev.jsonl" "$W | all(.sock.netns.path == \"/run/netns/$ns\")"
check "article: the peer is the upstream in the test netns" \
	jq_true "$T/ev.jsonl" "$W | all(.sock.peer == \"127.0.0.1:53\")"
check "article: the answer is read by a different thread, on the same foreign socket" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"read\" and .ret > 0)] as \$r | ($W) as \$w |
	  (\$r | length) == 3 and (\$r | all(.sock.foreign and .sock.netns.ino == $ino)) and
	  (\$r[0].tid != \$w[0].tid)"
check "article: setns events name the target netns" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"setns\")] | (map(.ns_new.ino) | index($ino)) != null and (map(.ns_new.ino) | index($home)) != null"
check "article: the socket() event ran with the thread inside the test netns" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"socket\")] | all(.thread_netns.ino == $ino)"

# -o records the same events, after a header; -s caps the payload.
timeout 30 "$NST" -s 16 -o "$T/rec.jsonl" --events -- "$PROGS/ns_pattern" "/run/netns/$ns" 1 >"$T/text" 2>&1
check "record: -o file starts with a versioned header" \
	sh -c "head -1 '$T/rec.jsonl' | jq -e '.type==\"header\" and .format==\"nstrace-recording\" and .version==1 and .snaplen==16' >/dev/null"
check "record: the recorded write is capped at -s 16 and marked truncated" \
	jq_true "$T/rec.jsonl" "[.[] | select(.syscall==\"write\")] | length == 1 and (.[0].payload | length) == 32 and .[0].truncated and .[0].len == 45"
check "text: --events tags the write's fd with udp, peer, netns path and FOREIGN" \
	grep -q "write(.*<udp 127.0.0.1:[0-9]*->127.0.0.1:53 net:\[$ino\] /run/netns/$ns FOREIGN>" "$T/text"
