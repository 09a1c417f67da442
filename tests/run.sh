#!/bin/sh
# run.sh - every test: unit tests (plain and ASan+UBSan), the static checks
# of the source, then each integration test against the plain and the
# sanitized nstrace, and the real-dockerd lab.
# The last line is "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
out=$(mktemp /tmp/nstrace-run.XXXXXX)

run() { # label cmd...
	"$@" 2>&1 | sed "s/^\(PASS\|FAIL\|SKIP\): /\1: [$label] /" | tee -a "$out"
}

# The unit tests of the sources (not whatever binaries an older tree left).
for src in tests/unit/test_*.c; do
	u=$(basename "$src" .c)
	for t in build/unit/$u build/unit-asan/$u; do
		label=$(basename "$(dirname "$t")")
		run "$t" || true
		# A unit binary that crashes prints no FAIL line: count it.
		"$t" >/dev/null 2>&1 || grep -q "FAIL: \[$label\]" "$out" ||
			echo "FAIL: [$label] $t crashed" | tee -a "$out"
	done
done
# Checks of the source itself, once.
label=static
for t in tests/static/test_*.sh; do
	run sh "$t"
done
# Every parser of untrusted bytes under libFuzzer: its regression corpus,
# then FUZZ_SECONDS (20) of fuzzing each, with ASan and UBSan.
label=fuzz
run sh fuzz/run.sh
netns_before=$(ip netns list 2>/dev/null | sort)
routes_before=$(ip route show 198.51.100.0/24 2>/dev/null; ip route show 198.18.0.0/15 2>/dev/null)
fw() { # the host's rules and chains, without counters
	{ iptables-save; ip6tables-save; } 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
}
fw_before=$(fw)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for bin in build/nstrace build/asan/nstrace; do
	label=$(basename "$(dirname "$bin")")
	[ "$label" = build ] && label=plain
	for t in tests/integration/test_*.sh; do
		NST=$bin run sh "$t"
	done
done
# The BPF backend on Debian's own 5.10 and 6.1 kernels, booted in qemu,
# once, with the plain build.
label=vm
NST=build/nstrace run sh tests/vm/run.sh
# The real dockerd end to end, once, with the plain build (it skips itself
# where dockerd cannot run).
label=e2e
NST=build/nstrace run sh tests/e2e/run.sh
# A test's own cleanup may still be ending (a trap's lab_down behind a
# stopped tracer): a few seconds to settle before anything counts as left.
lab_state() { ip netns list 2>/dev/null | sort; ip route show 198.51.100.0/24 2>/dev/null; ip route show 198.18.0.0/15 2>/dev/null; }
i=0
while [ $i -lt 50 ] && [ "$(lab_state)" != "$(printf '%s\n%s' "$netns_before" "$routes_before" | sed '/^$/d')" ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(ip netns list 2>/dev/null | sort)" = "$netns_before" ]; then
	echo "PASS: cleanup: the tests left no network namespace behind" | tee -a "$out"
else
	echo "FAIL: cleanup: namespaces left behind: $(ip netns list | tr '\n' ' ') (before: $(echo "$netns_before" | tr '\n' ' '))" | tee -a "$out"
fi
if [ "$(ip route show 198.51.100.0/24 2>/dev/null; ip route show 198.18.0.0/15 2>/dev/null)" = "$routes_before" ]; then
	echo "PASS: cleanup: the tests left the host's routes to the lab ranges as they were" | tee -a "$out"
else
	echo "FAIL: cleanup: the routes to 198.51.100.0/24 or 198.18.0.0/15 changed: now '$(ip route show 198.51.100.0/24; ip route show 198.18.0.0/15)', before '$routes_before'" | tee -a "$out"
fi
if [ "$(fw)" = "$fw_before" ]; then
	echo "PASS: cleanup: the tests left the host's iptables rules and chains as they were" | tee -a "$out"
else
	echo "$fw_before" >"$out.fw"
	echo "FAIL: cleanup: the host's iptables rules changed: $(fw | diff "$out.fw" - | grep '^[<>]' | head -4 | tr '\n' ' ')" | tee -a "$out"
	rm -f "$out.fw"
fi
passed=$(grep -c '^PASS:' "$out")
failed=$(grep -c '^FAIL:' "$out")
skipped=$(grep -c '^SKIP:' "$out")
mkdir -p build && cp "$out" build/test.log
if [ "$failed" -gt 0 ]; then
	echo "--- failures (full log: build/test.log):"
	grep '^FAIL:' "$out"
fi
rm -f "$out"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
