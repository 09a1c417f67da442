#!/bin/sh
# Detach leaves a busy 20-thread process running, untraced, with no thread
# in tracing stop: after SIGINT, SIGTERM, --duration, and even SIGKILL of
# nstrace (the kernel detaches: attach mode never sets EXITKILL).
. tests/lib.sh

bg "$PROGS/busy_threads" 20 "$T/count" 60
pid=$BG
wait_for_line "$T/count" '[0-9]' || { fail "detach: fixture did not start"; exit 0; }

for how in INT TERM HUP KILL; do
	"$NST" -p "$pid" >"$T/out.$how" 2>&1 &
	nst=$!
	sleep 1
	check "detach/$how: all 21 threads were attached" \
		[ "$(grep -c '^TracerPid:[[:space:]]*'"$nst"'$' /proc/"$pid"/task/*/status | awk -F: '{s+=$NF} END {print s}')" -eq 21 ]
	check "detach/$how: the process keeps counting while traced" counter_grows "$T/count"
	kill -"$how" "$nst"
	wait "$nst" 2>/dev/null
	rc=$?
	if [ "$how" = KILL ]; then
		check "detach/KILL: nstrace died by SIGKILL" [ $rc -eq 137 ]
	else
		check "detach/$how: nstrace exited 0 after detaching" [ $rc -eq 0 ]
	fi
	check "detach/$how: no thread left in tracing stop, none traced" alive_and_free "$pid"
	check "detach/$how: the process keeps counting after detach" counter_grows "$T/count"
done

timeout 20 "$NST" --duration 1 -p "$pid" >"$T/out.dur" 2>&1
check "detach/duration: --duration 1 ends the trace with exit 0" [ $? -eq 0 ]
check "detach/duration: process untouched afterwards" alive_and_free "$pid"
check "detach/duration: the report names the thread count" grep -q "21 threads" "$T/out.dur"
