#!/bin/sh
# Hostile tracees (tests/progs/hostile.c), each run as a user would trace
# it, under every backend this machine has: the program's own result is
# what nstrace reports, never a false error.
#  - threads that open, query and close as fast as they can (fd numbers
#    reused across threads at once);
#  - 1000 queries in one sendmmsg, answers read in batches past any cap;
#  - a process whose main thread has exited (attached with -p);
#  - a name made of a newline, a fake report line and escape codes;
#  - answers whose names take 201 compression pointers, and answers no
#    parser reads;
#  - 1000 network namespaces made in a loop.
. tests/lib.sh

dns_lab_up || { fail "hostile: could not set up namespaces and dnsmasq"; exit 0; }
H=$PROGS/hostile
IN="ip netns exec $CTR"
SUM='[.[] | select(.type=="summary")][0]'
NOTO='[.[] | select(.type=="finding" and .id=="dns-upstream-timeout")] | length == 0'

# A second upstream for the compression cases, beside dnsmasq.
ip -n "$UP" addr add 198.51.100.54/24 dev "nstu$$"
bg ip netns exec "$UP" "$H" compress-serve 198.51.100.54 >"$T/cs.out"
ip -n "$UP" addr add 198.51.100.55/24 dev "nstu$$"
bg ip netns exec "$UP" "$H" compress-serve 198.51.100.55 broken >"$T/cb.out"
wait_for_line "$T/cs.out" ready && wait_for_line "$T/cb.out" ready ||
	{ fail "hostile: the compression servers did not start"; exit 0; }

backends=ptrace
"$NST" --backend bpf -- true >/dev/null 2>&1 && backends="ptrace bpf"

# got FILE: the program's "sent N answered M" as "N M".
got() { sed -n 's/^sent \([0-9]*\) answered \([0-9]*\)$/\1 \2/p' "$1" | head -1; }

for be in $backends; do
	# 1. fd reuse across threads: every query answered, none a timeout
	timeout 60 "$NST" --backend $be --json -- $IN "$H" fdreuse 198.51.100.53 8 2 >"$T/fd.$be" 2>"$T/fd.$be.err"
	set -- $(got "$T/fd.$be")
	check "hostile $be fdreuse: the program's queries were all answered (${1:-none} sent)" \
		sh -c "[ '${1:-0}' -gt 100 ] && [ '$1' = '$2' ]"
	check "hostile $be fdreuse: no answered query is reported as a timeout" jq_true "$T/fd.$be" "$NOTO"
	check "hostile $be fdreuse: nstrace counts the answers the program got ($2)" \
		jq_true "$T/fd.$be" "$SUM | .upstreams[0].answered == ${2:-0} and .upstreams[0].timeout == 0"

	# 2. 1000 queries in one sendmmsg; dnsmasq drops some under the burst:
	# the program's own count says which were answered
	timeout 60 "$NST" --backend $be --json -- $IN "$H" mmsg 198.51.100.53 1000 >"$T/mm.$be" 2>"$T/mm.$be.err"
	set -- $(got "$T/mm.$be")
	check "hostile $be mmsg: the program sent its batch of 1000 ($1, $2 answered)" [ "${1:-0}" -eq 1000 ]
	if [ $be = ptrace ]; then
		check "hostile $be mmsg: every message of every batch is seen: nstrace's answered is the program's" \
			jq_true "$T/mm.$be" "$SUM | .dns_queries_sent == 1000 and .upstreams[0].answered == ${2:-0} and (.unseen_messages // 0) == 0"
		check "hostile $be mmsg: the unanswered ones, and only they, are timeouts or pending" \
			jq_true "$T/mm.$be" "$SUM | .upstreams[0].timeout + .upstreams[0].pending == 1000 - ${2:-0}"
	else
		check "hostile $be mmsg: what a record cannot carry is counted unseen, never a timeout" \
			jq_true "$T/mm.$be" "$SUM | .unseen_messages > 0 and .upstreams[0].timeout <= 1000 - ${2:-0}"
	fi

	# 3. attached to a process whose main thread has exited
	$IN "$H" leader 198.51.100.53 4 >"$T/ld.$be.out" &
	lpid=$!
	PIDS_STARTED="$PIDS_STARTED $lpid"
	wait_for_line "$T/ld.$be.out" ready && sleep 0.3
	timeout 30 "$NST" --backend $be --json --duration 1.5 -p "$lpid" >"$T/ld.$be" 2>"$T/ld.$be.err"
	rc=$?
	check "hostile $be leader: attaching to a thread group whose leader exited traces its threads (exit $rc)" \
		sh -c "[ $rc -eq 0 ] && jq -e -s '[.[] | select(.type==\"summary\")][0] | .dns_queries_sent > 3 and .upstreams[0].timeout == 0' '$T/ld.$be' >/dev/null"
	check "hostile $be leader: the threads go on untraced and stopped by nothing" alive_and_free "$lpid"
	wait "$lpid"
	check "hostile $be leader: the program's own queries were all answered" \
		sh -c "grep -q '^sent \([0-9]*\) answered \1$' '$T/ld.$be.out'"

	# 4. a hostile comm: the text report keeps it on its line, escaped
	nasty=$(printf 'x\n[ok] f\033[2J')
	ln -sf "$(readlink -f "$H")" "$T/$nasty"
	timeout 30 "$NST" --backend $be -- $IN "$T/$nasty" comm y 127.0.0.1 >"$T/cm.$be" 2>&1
	check "hostile $be comm: the finding names the process with its bytes escaped" \
		grep -qF 'dns-upstream-refused: x\n[ok] f\033[2J[' "$T/cm.$be"
	check "hostile $be comm: no forged line, no escape code reaches the terminal" \
		sh -c "! grep -q '^\[ok\] f' '$T/cm.$be' && ! grep -q \"\$(printf '\033')\" '$T/cm.$be'"

	# 5. 201 compression pointers (as libresolv reads them), and answers no
	# parser reads: answered, never timeouts
	timeout 30 "$NST" --backend $be -s 2048 --json -- $IN "$H" query 198.51.100.54 5 >"$T/cz.$be" 2>&1
	check "hostile $be compression: 201 pointers parse: 5 answered, as the program says" \
		sh -c "grep -q '^sent 5 answered 5$' '$T/cz.$be'"
	check "hostile $be compression: nstrace reads all 5 answers, none as not DNS" \
		jq_true "$T/cz.$be" "$SUM | .dns_responses_received == 5 and .not_dns == 0 and .upstreams[0].answered == 5"
	timeout 30 "$NST" --backend $be -s 2048 --json -- $IN "$H" query 198.51.100.55 3 >"$T/cb.$be" 2>&1
	check "hostile $be unparsable: the program got its 3 answers" sh -c "grep -q '^sent 3 answered 3$' '$T/cb.$be'"
	check "hostile $be unparsable: an answer nstrace cannot read is answered, not a timeout" \
		jq_true "$T/cb.$be" "($SUM | .upstreams[0] | .answered == 3 and .timeout == 0) and ($NOTO)"

	# 6. 1000 network namespaces made in a loop, then home and one query
	/usr/bin/time -f '%M' -o "$T/nn.$be.rss" timeout 60 "$NST" --backend $be --json -- \
		$IN "$H" netns 1000 198.51.100.53 >"$T/nn.$be" 2>"$T/nn.$be.err"
	rc=$?
	check "hostile $be netns: 1000 new namespaces in a loop, traced to the end (exit $rc)" \
		sh -c "[ $rc -eq 0 ] && grep -q '^sent 1 answered 1$' '$T/nn.$be'"
	check "hostile $be netns: no error finding" \
		jq_true "$T/nn.$be" '[.[] | select(.type=="finding" and .severity=="error")] | length == 0'
	[ $be = ptrace ] && check "hostile $be netns: nstrace's memory stays small ($(cat "$T/nn.$be.rss") KiB)" \
		[ "$(cat "$T/nn.$be.rss")" -lt 65536 ]
done
