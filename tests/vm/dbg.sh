# dbg.sh - a guest script for work on the BPF programs (VM_SCRIPT=tests/vm/dbg.sh
# tests/vm/run.sh): the load's result and the end of each refused program's
# verifier log, as PASS lines so that run.sh shows them.
echo "PASS: dbg kernel $(uname -r)"
NSTRACE_BPF_DEBUG=1 build/nstrace --backend bpf -- true >/tmp/dbg.log 2>&1
echo "PASS: dbg rc=$?"
awk '/BEGIN PROG LOAD LOG/ {on = 1; n = 0} on {buf[n++ % 12] = $0} /END PROG LOAD LOG/ {on = 0; for (i = n - 12; i < n; i++) if (i >= 0) print buf[i % 12]}' /tmp/dbg.log |
	cut -c1-220 | sed 's/^/PASS: dbg /'
grep -E 'failed|error' /tmp/dbg.log | grep -v 'invalid insn' | cut -c1-220 | sed 's/^/PASS: dbg /'
