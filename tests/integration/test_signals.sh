#!/bin/sh
# Signals reach the tracee exactly once, and job control still works:
# a traced process can be stopped and continued, and a process that is
# stopped when nstrace detaches stays stopped.
. tests/lib.sh

timeout 30 "$NST" -- "$PROGS/signals" 200 >"$T/out" 2>&1
check "signals: 200 queued real-time signals arrive exactly once each under trace" [ $? -eq 0 ]
check "signals: the fixture counted them all" grep -q "signals: 200 of 200" "$T/out"

bg "$PROGS/busy_threads" 4 "$T/count" 60
pid=$BG
wait_for_line "$T/count" '[0-9]' || { fail "signals: fixture did not start"; exit 0; }
"$NST" -p "$pid" >"$T/nst" 2>&1 &
nst=$!
sleep 0.5
kill -STOP "$pid"
sleep 0.5
a=$(cat "$T/count"); sleep 0.5; b=$(cat "$T/count")
check "group-stop: SIGSTOP stops the traced process (counter frozen)" [ "$a" = "$b" ]
kill -CONT "$pid"
check "group-stop: SIGCONT resumes it under trace" counter_grows "$T/count"
kill -STOP "$pid"
sleep 0.3
kill -INT "$nst"
wait "$nst" 2>/dev/null
check "group-stop: nstrace detaches from a stopped process" [ $? -eq 0 ]
st=$(sed 's/.*) //' /proc/"$pid"/stat | cut -d' ' -f1)
check "group-stop: the process stays stopped (T) after detach, as before" [ "$st" = T ]
kill -CONT "$pid"
check "group-stop: SIGCONT after detach resumes it, untraced" counter_grows "$T/count"
check "group-stop: nothing left traced" alive_and_free "$pid"
