#!/bin/sh
# Bad input: garbage pointers from the tracee become "unreadable" events,
# never a crash; bad command lines and bad pids get clear errors.
. tests/lib.sh

timeout 20 "$NST" --json --events -- "$PROGS/bad_pointers" >"$T/ev.jsonl" 2>"$T/err"
check "bad-pointers: nstrace survives garbage pointers and the program finishes" [ $? -eq 0 ]
check "bad-pointers: write() from an unmapped buffer is marked unreadable" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="write" and .errno=="EFAULT")] | length == 1 and .[0].unreadable'
check "bad-pointers: a bad sendto address is marked, the payload still captured" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="sendto")] | .[0].addr_unreadable and .[0].payload == "78"'
check "bad-pointers: absurd iovec counts and bad msghdrs are survived" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="sendmsg")] | length == 3 and (.[2].unreadable == true)'
check "bad-pointers: tracing goes on after the bad calls" \
	jq_true "$T/ev.jsonl" '[.[] | select(.syscall=="write" and .ret==2 and .payload=="6f6b")] | length == 1'

"$NST" -p 999999999 >"$T/o" 2>"$T/e"; rc=$?
check "errors: a pid that does not exist exits 1" [ $rc -eq 1 ]
check "errors: ... and says 'no such process'" grep -q "no such process" "$T/e"
"$NST" >"$T/o" 2>"$T/e"; rc=$?
check "errors: nothing to trace is a usage error (exit 2)" [ $rc -eq 2 ]
"$NST" -s -5 -p 1 >"$T/o" 2>"$T/e"; rc=$?
check "errors: a negative -s is a usage error naming the value" sh -c "[ $rc -eq 2 ] && grep -q \"'-5'\" '$T/e'"
"$NST" --bogus -p 1 >"$T/o" 2>"$T/e"; rc=$?
check "errors: an unknown option is a usage error naming it" sh -c "[ $rc -eq 2 ] && grep -q -- '--bogus' '$T/e'"
"$NST" -p >"$T/o" 2>"$T/e"; rc=$?
check "errors: -p without a pid is a usage error" [ $rc -eq 2 ]
"$NST" -- /nonexistent/cmd >"$T/o" 2>"$T/e"; rc=$?
check "errors: a command that cannot run exits 127 with its name" sh -c "[ $rc -eq 127 ] && grep -q /nonexistent/cmd '$T/e'"
"$NST" --help >"$T/o" 2>&1
check "help: --help lists the options and examples" sh -c "grep -q -- '--duration' '$T/o' && grep -q examples '$T/o'"
"$NST" -f --version >"$T/o" 2>&1
check "help: -f is accepted and ignored; --version prints" grep -q "^nstrace " "$T/o"

# EPERM: an unprivileged user may not trace a root process.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	bg sleep 30
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$NST" -p "$BG" >"$T/o" 2>"$T/e"; rc=$?
	check "errors: EPERM names CAP_SYS_PTRACE and ptrace_scope" \
		sh -c "[ $rc -eq 1 ] && grep -q CAP_SYS_PTRACE '$T/e' && grep -q ptrace_scope '$T/e'"
fi
