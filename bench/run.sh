#!/bin/sh
# run.sh - every benchmark; writes bench/RESULTS.md.  Benchmarks, not tests:
# the machine is shared and noisy, so each figure is a median of runs.
cd "$(dirname "$0")/.." || exit 2
gcc -O2 -Wall -Wextra -Werror -o build/floor bench/floor.c || exit 1
out=bench/RESULTS.md
{
	echo "# nstrace benchmarks"
	echo
	echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d).  \`make bench\` rewrites this file."
	echo
	sh bench/dockerd.sh
	echo
	sh bench/bpf.sh
	echo
	sh bench/replay.sh
	echo
	sh bench/stacks.sh
	echo
	sh bench/launch.sh
	echo
	sh bench/soak.sh
	echo
	sh bench/firewall.sh
	echo
	sh bench/diagnose.sh
} >"$out.tmp" && mv "$out.tmp" "$out"
cat "$out"
