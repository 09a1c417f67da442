#!/bin/sh
# -k: stacks where the diagnosis needs them (setns, foreign sockets), shown
# with the findings, kept in recordings, degrading without symbols.
. tests/lib.sh

ns=$(netns_new stk) || { fail "stacks: create netns"; exit 0; }
P="$PROGS/foreign_socket /run/netns/$ns"
FN='[.[] | select(.type=="finding" and .id=="dns-foreign-netns")][0]'

timeout 30 "$NST" -k --json -o "$T/rec.jsonl" -- $P 2 >"$T/k.jsonl" 2>&1
check "stacks: the finding carries the stack of its socket's creation, innermost first" \
	jq_true "$T/k.jsonl" "$FN.stack | map(.function) | (index(\"open_foreign_socket\")) as \$a | (index(\"do_lookup\")) as \$b | (index(\"main\")) as \$c | \$a != null and \$b == \$a + 1 and \$c == \$b + 1"
check "stacks: frames name their module and carry offsets and addresses" \
	jq_true "$T/k.jsonl" "$FN.stack | map(select(.function == \"open_foreign_socket\"))[0] | .module == \"foreign_socket\" and .offset > 0 and .addr > 0"
check "stacks: the socket() event itself has the stack; unrelated events do not" \
	sh -c "grep -q '\"syscall\":\"socket\".*\"stack\"' '$T/rec.jsonl' && ! grep -q '\"syscall\":\"close\".*\"stack\"' '$T/rec.jsonl'"
"$NST" replay --json "$T/rec.jsonl" >"$T/replay.jsonl" 2>&1
check "stacks: the connect on that socket has none: its creation's stack stands for the socket" \
	sh -c "grep -q '\"syscall\":\"connect\"' '$T/rec.jsonl' && ! grep -q '\"syscall\":\"connect\".*\"stack\"' '$T/rec.jsonl'"
check "stacks: a replay of the recording shows the same stack" \
	sh -c "[ \"\$(grep '^{' '$T/k.jsonl' | jq -c 'select(.type==\"finding\") | .stack' | head -1)\" = \"\$(grep '^{' '$T/replay.jsonl' | jq -c 'select(.type==\"finding\") | .stack' | head -1)\" ]"

timeout 30 "$NST" --json -- $P 1 >"$T/nok.jsonl" 2>&1
check "stacks: without -k there is no stack" jq_true "$T/nok.jsonl" "$FN | has(\"stack\") | not"
timeout 30 "$NST" -k --stack-depth 2 --json -- $P 1 >"$T/d2.jsonl" 2>&1
check "stacks: --stack-depth 2 keeps at most 2 frames" jq_true "$T/d2.jsonl" "$FN.stack | length == 2"
timeout 30 "$NST" -k -- $P 1 >"$T/text" 2>&1
check "stacks: the text report prints the frames under the finding" \
	grep -q "foreign_socket(open_foreign_socket+0x" "$T/text"

cp "$PROGS/foreign_socket" "$T/stripped"
strip --strip-all "$T/stripped"
timeout 30 "$NST" -k --json -- "$T/stripped" "/run/netns/$ns" 1 >"$T/strip.jsonl" 2>&1
check "stacks: a binary without symbols degrades to module+offset, the trace goes on" \
	jq_true "$T/strip.jsonl" "$FN.stack | any(.module == \"stripped\" and .function == null and .offset > 0)"

# Code without DWARF tables (as Go's is) is unwound by its frame pointers,
# a frameless leaf's caller included, and libc's start code after it by
# libunwind again.
timeout 30 "$NST" -k --json --events -- "$PROGS/fp_stack" "/run/netns/$ns" >"$T/fp.jsonl" 2>&1
FP='[.[] | select(.type=="event" and .syscall=="socket")][0].stack'
check "stacks: no unwind tables: raw_socket <- make_foreign_socket <- main, by frame pointers" \
	jq_true "$T/fp.jsonl" "$FP | map(.function) | .[0:3] == [\"raw_socket\", \"make_foreign_socket\", \"main\"]"
check "stacks: no unwind tables: libc's start code follows, unwound with its tables" \
	jq_true "$T/fp.jsonl" "$FP | .[3:] | any(.function == \"__libc_start_main\")"
