#!/bin/sh
# run.sh - every libFuzzer harness (make fuzz): first over its regression
# corpus (fuzz/corpus/NAME, plus seeds made from fixtures/), each input
# once; then a bounded fuzz run of FUZZ_SECONDS (default 20) with ASan and
# UBSan.  A crash is a FAIL; its input is kept in build/fuzz/crash/NAME/
# (add it to fuzz/corpus/NAME once fixed).
cd "$(dirname "$0")/.." || exit 2
secs=${FUZZ_SECONDS:-20}
seeds=build/fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds"

# Seeds from the fixtures: each kind of input the harnesses read.
mk() { mkdir -p "$seeds/$1"; }
mk strace_line; mk strace_file; mk recording; mk expect; mk dns; mk sockaddr; mk docker_json; mk symbols
for f in fixtures/*.strace; do
	head -c 65536 "$f" >"$seeds/strace_file/$(basename "$f")"
	awk -v d="$seeds/strace_line" -v b="$(basename "$f")" \
		'NR % 7 == 1 && NR < 3000 { f = d "/" b "." NR; print > f; close(f) }' "$f"
done
for f in fixtures/*.jsonl; do
	head -n 150 "$f" >"$seeds/recording/$(basename "$f")"
	# the DNS payloads recorded in them, as raw bytes
	head -n 400 "$f" | jq -r 'select(.payload != null and .payload != "") | .payload' 2>/dev/null |
		head -n 40 | awk -v d="$seeds/dns" -v b="$(basename "$f")" '{ print > (d "/" b "." NR); close(d "/" b "." NR) }'
done
for f in "$seeds"/dns/*; do
	[ -f "$f" ] && perl -e 'local $/; $_ = <STDIN>; s/\s//g; print pack("H*", $_)' <"$f" >"$f.bin" && rm -f "$f"
done
cp fixtures/*.expect.json "$seeds/expect/" 2>/dev/null
for f in build/progs/fp_stack build/progs/dns_client; do
	[ -f "$f" ] && cp "$f" "$seeds/symbols/"
done

for h in build/fuzz/fuzz_*; do
	name=${h#build/fuzz/fuzz_}
	corpus=fuzz/corpus/$name
	work=build/fuzz/work/$name
	crash=build/fuzz/crash/$name
	mkdir -p "$corpus" "$work" "$crash"
	case $name in
	strace_*) dict=fuzz/strace.dict ;;
	recording|expect|docker_json) dict=fuzz/json.dict ;;
	*) dict= ;;
	esac
	if "$h" -runs=0 "$corpus" "$seeds/$name" >build/fuzz/$name.replay.log 2>&1; then
		n=$(ls "$corpus" "$seeds/$name" | grep -vc ':$')
		echo "PASS: fuzz $name: its regression corpus and fixture seeds ($n inputs) run clean under ASan+UBSan"
	else
		echo "FAIL: fuzz $name: an input of its corpus crashes (build/fuzz/$name.replay.log)"
		grep -m3 'ERROR\|runtime error' build/fuzz/$name.replay.log
	fi
	if "$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
		${dict:+-dict=$dict} -artifact_prefix="$crash/" "$work" "$corpus" "$seeds/$name" \
		>build/fuzz/$name.log 2>&1; then
		echo "PASS: fuzz $name: ${secs} s of libFuzzer found no crash, leak, hang or UB"
	else
		echo "FAIL: fuzz $name: libFuzzer found a failure in ${secs} s (input kept in $crash/)"
		grep -m3 'ERROR\|runtime error\|Test unit written' build/fuzz/$name.log
	fi
done
