#!/bin/sh
# unshare(CLONE_NEWNET) and clone(CLONE_NEWNET) move threads to new
# namespaces; dup/dup2/F_DUPFD keep the socket's netns; fork copies the fd
# table and exec keeps inherited (non-CLOEXEC) sockets.
. tests/lib.sh

timeout 20 "$NST" --json --events -- "$PROGS/newnet" >"$T/ev.jsonl" 2>"$T/err"
check "newnet: the fixture ran to completion under trace" [ $? -eq 0 ]
uns=$(awk '/^unshared/ {print $2}' "$T/err")
cln=$(awk '/^cloned/ {print $2}' "$T/err")
home=$(stat -L -c %i /proc/self/ns/net)

check "unshare: the event names the new netns ($uns)" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"unshare\")] | length == 1 and .[0].ns_new.ino == $uns"
check "unshare: a socket made after it lives in the new netns and is foreign" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"socket\" and .sock.netns.ino == $uns)] | length == 1 and .[0].sock.foreign"
S() { echo "[.[] | select(.syscall==\"sendto\" and .payload==\"$1\")]"; }
for tag in dup:647570 dup2:64757032 F_DUPFD:6475706664; do
	name=${tag%%:*} hex=${tag#*:}
	check "fdtable: a $name copy of the foreign socket keeps its netns" \
		jq_true "$T/ev.jsonl" "$(S "$hex") | length == 1 and .[0].sock.netns.ino == $uns and .[0].sock.foreign"
done
check "fdtable: dup2 put the socket on fd 40, F_DUPFD on fd >= 50" \
	jq_true "$T/ev.jsonl" "($(S 64757032))[0].fd == 40 and ($(S 6475706664))[0].fd >= 50"
check "fork: the child's copy of the fd table knows the socket (created, foreign)" \
	jq_true "$T/ev.jsonl" "$(S 666f726b) | length == 1 and .[0].sock.netns.ino == $uns and .[0].sock.netns_origin == \"created\" and .[0].sock.foreign and .[0].home_netns.ino == $home"
check "exec: an inherited socket is still known after execve" \
	jq_true "$T/ev.jsonl" "$(S 65786563) | length == 1 and .[0].sock.netns.ino == $uns and .[0].sock.netns_origin == \"created\""
check "clone: CLONE_NEWNET's event names the child's netns ($cln)" \
	jq_true "$T/ev.jsonl" "[.[] | select(.syscall==\"clone\")] | length == 1 and .[0].ns_new.ino == $cln"
check "clone: the child is at home in the netns it was born in (not foreign)" \
	jq_true "$T/ev.jsonl" "$(S 636c6f6e6564) | length == 1 and .[0].sock.netns.ino == $cln and .[0].home_netns.ino == $cln and (.[0].sock.foreign | not)"
check "newnet: namespaces were really new" sh -c "[ '$uns' != '$home' ] && [ '$cln' != '$home' ] && [ -n '$uns' ]"
