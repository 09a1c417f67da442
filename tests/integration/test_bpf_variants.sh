#!/bin/sh
# The BPF programs older kernels load, forced on this one
# (NSTRACE_BPF_WITHOUT): 6.1's, without bpf_rdonly_cast (fd facts by
# bpf_probe_read_kernel); 5.11's, without bpf_task_pt_regs too (clone's
# flags from its own entry tracepoint); 5.10's, without the BTF task as
# well.  Each must give ptrace's findings and counts on the cases that
# tests/vm/guest.sh runs on those kernels themselves (tests/vm/run.sh).
. tests/lib.sh

if ! "$NST" --backend bpf -- true >/dev/null 2>&1; then
	echo "SKIP: bpf variants: the BPF backend cannot run here"
	exit 0
fi
NSTRACE_BPF_WITHOUT=bpf_rdonly_cast,no_such_thing "$NST" --backend bpf -- true >/dev/null 2>"$T/bad.err"
rc=$?
check "bpf variants: an unknown NSTRACE_BPF_WITHOUT name is exit 2 naming it and the known ones" \
	sh -c "[ $rc = 2 ] && grep -q \"NSTRACE_BPF_WITHOUT: unknown BPF feature 'no_such_thing' (known: bpf_rdonly_cast,\" '$T/bad.err'"
NSTRACE_BPF_WITHOUT=bpf_get_current_task_btf "$NST" --backend bpf --json -- true >"$T/dep.json" 2>&1
check "bpf variants: without the BTF task, its registers go too (bpf_task_pt_regs takes that task)" \
	jq_true "$T/dep.json" '[.[] | select(.type == "summary")][0].tracer.bpf_without ==
		["bpf_get_current_task_btf", "bpf_task_pt_regs"]'
for w in bpf_rdonly_cast bpf_rdonly_cast,bpf_task_pt_regs \
	bpf_rdonly_cast,bpf_get_current_task_btf,bpf_task_pt_regs; do
	NSTRACE_BPF_WITHOUT=$w VM_WITHOUT=$w VM_LABEL="bpf variants: without $w" sh tests/vm/guest.sh
done
