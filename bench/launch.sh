#!/bin/sh
# launch.sh - launch mode with the seccomp-bpf filter (a benchmark, not a test).
# bench/churn.c under: nothing, nstrace, and strace -f --seccomp-bpf with the
# same syscall set; five runs each, medians, in one run on the same machine.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
gcc -O2 -Wall -Wextra -Werror -o build/churn bench/churn.c || exit 1
W="build/churn 2000 100"
SET=socket,socketpair,connect,bind,listen,accept,accept4,getsockname,getpeername,sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg,read,write,readv,writev,close,close_range,dup,dup2,dup3,fcntl,setns,unshare,clone,clone3
. bench/lib.sh
: >/tmp/nst-l.0; : >/tmp/nst-l.1; : >/tmp/nst-l.2; : >/tmp/nst-l.3
for i in $(seq "$RUNS"); do
	ms_of $W >>/tmp/nst-l.0
	ms_of build/nstrace -- $W >>/tmp/nst-l.1
	ms_of strace -f -qq --seccomp-bpf -e trace=$SET -o /dev/null $W >>/tmp/nst-l.2
	ms_of build/nstrace --no-seccomp-bpf -- $W >>/tmp/nst-l.3
done
u=$(median </tmp/nst-l.0); n=$(median </tmp/nst-l.1); s=$(median </tmp/nst-l.2); x=$(median </tmp/nst-l.3)
rm -f /tmp/nst-l.0 /tmp/nst-l.1 /tmp/nst-l.2 /tmp/nst-l.3
r() { awk -v a="$1" -v b="$u" 'BEGIN {printf "%.2f", a / b}'; }
cat <<EOT
### Launch mode (seccomp-bpf)

\`build/churn 2000 100\`: 2000 iterations of 100 × (futex wake, epoll_wait 0,
1 µs nanosleep) plus one sendto and one recvfrom (600k undecoded syscalls,
4000 decoded).  Median of $RUNS runs, same run.

| run | wall time | vs untraced |
|---|---|---|
| untraced | $u ms | 1.00 |
| nstrace (seccomp-bpf filter) | $n ms | $(r $n) |
| strace -f --seccomp-bpf -e trace=(same set) | $s ms | $(r $s) |
| nstrace --no-seccomp-bpf | $x ms | $(r $x) |
EOT
