#!/bin/sh
# stacks.sh - the cost of -k (a benchmark, not a test).
#
# A loop of foreign-netns socket creations (the foreign_socket fixture:
# setns, socket, connect, setns back, a DNS write, a read) in a namespace
# made here: untraced, under nstrace, and under nstrace -k, in the same run,
# five times; medians and ratios.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-2000}
ns=nstrace-bench-k-$$
ip netns add $ns && ip -n $ns link set lo up || exit 1
trap 'ip netns del $ns' EXIT
P="build/progs/foreign_socket /run/netns/$ns $ROUNDS"
. bench/lib.sh
: >/tmp/nst-k.0; : >/tmp/nst-k.1; : >/tmp/nst-k.2; : >/tmp/nst-k.3
for i in $(seq "$RUNS"); do
	ms_of $P >>/tmp/nst-k.0
	ms_of build/nstrace -- $P >>/tmp/nst-k.1
	ms_of build/nstrace -k -- $P >>/tmp/nst-k.2
	ms_of strace -f -qq -k -e trace=%network,setns -o /dev/null $P >>/tmp/nst-k.3
done
u=$(median </tmp/nst-k.0); n=$(median </tmp/nst-k.1); k=$(median </tmp/nst-k.2); sk=$(median </tmp/nst-k.3)
rm -f /tmp/nst-k.0 /tmp/nst-k.1 /tmp/nst-k.2 /tmp/nst-k.3
cat <<EOT
### Cost of -k (stacks)

$ROUNDS foreign-socket lookups (foreign_socket fixture: each makes a socket in
another netns, connects it, writes a DNS query; -k takes 5 stacks per round:
2 setns, socket, connect, the DNS write).  Median of $RUNS runs, same machine,
same run.

| run | wall time | per lookup | vs nstrace |
|---|---|---|---|
| untraced | $u ms | $(awk -v t=$u -v r=$ROUNDS 'BEGIN {printf "%.0f", t * 1000 / r}') µs | |
| nstrace | $n ms | $(awk -v t=$n -v r=$ROUNDS 'BEGIN {printf "%.0f", t * 1000 / r}') µs | 1.00 |
| nstrace -k | $k ms | $(awk -v t=$k -v r=$ROUNDS 'BEGIN {printf "%.0f", t * 1000 / r}') µs | $(awk -v a=$k -v b=$n 'BEGIN {printf "%.2f", a / b}') |
| strace -f -k -e trace=%network,setns | $sk ms | $(awk -v t=$sk -v r=$ROUNDS 'BEGIN {printf "%.0f", t * 1000 / r}') µs | $(awk -v a=$sk -v b=$n 'BEGIN {printf "%.2f", a / b}') |

strace -k unwinds and symbolizes at every traced syscall; nstrace -k only
where the diagnosis needs a stack, with symbols and addresses cached.
EOT
