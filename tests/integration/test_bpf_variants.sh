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
# clone's entry tracepoint is found in tracefs: where nothing mounted it
# (a fresh machine, a container), nstrace mounts it and leaves none behind.
# Tried in a mount namespace of its own, tracefs unmounted there only.
tracefs_was=$(mountpoint -q /sys/kernel/tracing && echo mounted || echo none)
unshare -m --propagation private sh -c '
	umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
	mountpoint -q /sys/kernel/tracing && exit 3
	NSTRACE_BPF_WITHOUT=bpf_task_pt_regs "$1" --backend bpf --json -- true >"$2" 2>&1
	echo "rc=$?" >>"$2"
	mountpoint -q /sys/kernel/tracing && echo "left mounted" >>"$2"; exit 0' sh "$NST" "$T/notracefs.out"
loaded_without_regs() {
	grep -qx 'rc=0' "$1" &&
		jq_true "$1" '[.[] | select(.type == "summary")][0].tracer.bpf_without == ["bpf_task_pt_regs"]'
}
check "bpf variants: with no tracefs mounted, the variant that takes clone from its tracepoint still loads" \
	loaded_without_regs "$T/notracefs.out"
check "bpf variants: the tracefs nstrace mounted for it is unmounted at the end" \
	sh -c "grep -qx 'rc=0' '$T/notracefs.out' && ! grep -qx 'left mounted' '$T/notracefs.out'"
for w in bpf_rdonly_cast bpf_rdonly_cast,bpf_task_pt_regs \
	bpf_rdonly_cast,bpf_get_current_task_btf,bpf_task_pt_regs; do
	NSTRACE_BPF_WITHOUT=$w VM_WITHOUT=$w VM_LABEL="bpf variants: without $w" sh tests/vm/guest.sh
done
check "bpf variants: tracefs is as it was before them (here: $tracefs_was)" \
	sh -c "[ \"\$(mountpoint -q /sys/kernel/tracing && echo mounted || echo none)\" = $tracefs_was ]"
