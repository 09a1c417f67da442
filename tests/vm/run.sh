#!/bin/sh
# run.sh - the BPF backend on the distribution kernels people run: Debian
# 11's 5.10 and Debian 12's 6.1, Debian's own kernel packages (deb_fetch,
# kept in build/vm/), each booted in qemu with the host's root shared
# read-only over virtio-9p and an initramfs of busybox-static and that
# kernel's own 9p, virtio and veth modules (tests/vm/init), no network
# device.  The guest runs tests/vm/guest.sh; its PASS and FAIL lines are
# this test's.  Emulated (-accel tcg): this machine type's KVM is
# paravirtual and cannot boot a stock kernel.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
VM=${VM_CACHE:-build/vm}
# VM_ONLY=bullseye or bookworm boots one; VM_SCRIPT runs another guest
# script; VM_APPEND replaces the guest kernel's "quiet" (say loglevel=7 to
# see its stacks); VM_TIMEOUT bounds a guest's run (600 s)
VM_SCRIPT=${VM_SCRIPT:-tests/vm/guest.sh}
skip() { echo "SKIP: $*"; }

# mod_add NAME: NAME after what it depends on, into ORDER (MODDIR's .ko
# files; one not there is built in)
mod_add() {
	case " $ORDER " in *" $1.ko "*) return 0 ;; esac
	f=$(find "$MODDIR" -name "$1.ko" | head -1)
	[ -n "$f" ] || return 0
	for dep in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr , ' '); do mod_add "$dep"; done
	f=$(find "$MODDIR" -name "$1.ko" | head -1)
	cp "$f" "$T/initrd/mods/" && ORDER="$ORDER $1.ko"
}

# initrd KDIR: $T/initrd.cpio for the kernel unpacked in KDIR
initrd() {
	rm -rf "$T/initrd" && mkdir -p "$T/initrd/bin" "$T/initrd/mods" || return 1
	for d in proc sys dev host; do mkdir "$T/initrd/$d"; done
	cp /bin/busybox "$T/initrd/bin/busybox" && cp tests/vm/init "$T/initrd/init" && chmod +x "$T/initrd/init"
	MODDIR=$(echo "$1"/root/lib/modules/*) ORDER=""
	for m in virtio_pci 9pnet_virtio 9p veth; do mod_add $m; done
	echo "$ORDER" >"$T/initrd/mods/order"
	(cd "$T/initrd" && find . | busybox cpio -o -H newc 2>/dev/null) >"$T/initrd.cpio"
}

# watch_guest PID CONSOLE LABEL: wait for qemu PID; stopped after
# VM_TIMEOUT seconds (the guest takes one or two minutes), or as soon as
# the guest's kernel reports a soft lockup, an RCU stall or a panic (it
# does not recover from those; the console keeps its report)
watch_guest() {
	w=0
	while kill -0 "$1" 2>/dev/null; do
		if grep -qE 'soft lockup|rcu_sched self-detected stall|Kernel panic' "$2" 2>/dev/null; then
			sleep 5 # the rest of the kernel's report
			kill "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 1
		fi
		if [ $w -ge "${VM_TIMEOUT:-600}" ]; then
			kill "$1" 2>/dev/null
			echo "vm: $3: the guest did not end in ${VM_TIMEOUT:-600} s; stopped" >&2
			break
		fi
		sleep 1
		w=$((w + 1))
	done
	wait "$1" 2>/dev/null
	return 0
}

# guest SUITE LABEL WITHOUT KERNEL: one boot, its console in $T/SUITE.console;
# 1 when its kernel hung
guest() {
	qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 1536 -nographic -no-reboot \
		-nic none -kernel "$4" -initrd "$T/initrd.cpio" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-append "console=ttyS0 panic=-1 ${VM_APPEND:-quiet} nst.dir=$PWD nst.nst=$NST nst.without=$3 nst.script=$VM_SCRIPT" \
		</dev/null >"$T/$1.console" 2>&1 &
	watch_guest $! "$T/$1.console" "$2"
}

# boot SUITE LABEL WITHOUT: the guest's run, its lines labelled
boot() {
	[ -n "${VM_ONLY:-}" ] && [ "$VM_ONLY" != "$1" ] && return
	k=$VM/$1
	if ! ls "$k"/root/boot/vmlinuz-* >/dev/null 2>&1; then
		rm -rf "$k"
		deb_fetch "$1" linux-image-amd64 "$k" linux-image- ||
			{ skip "$2: Debian $1's kernel could not be fetched; its guest run skipped"; return; }
	fi
	initrd "$k" || { fail "$2: the initramfs could not be made"; return; }
	# the guest runs this tree's build, as the host sees it.  Emulated, its
	# kernel once hung in a soft lockup (5.10, the tracer and an untraced
	# shell stuck in the kernel, during a ptrace attach: no BPF loaded):
	# such a boot is said, its console kept, and the guest run once more
	if ! guest "$1" "$2" "$3" "$(echo "$k"/root/boot/vmlinuz-*)"; then
		cp "$T/$1.console" "$VM/$1.hung.console"
		echo "vm: $2: the guest's kernel hung (soft lockup, RCU stall or panic; its console is" \
			"$VM/$1.hung.console): booted again" >&2
		tr -d '\r' <"$T/$1.console" | grep -E 'soft lockup|stall|Kernel panic' | head -4 >&2
		guest "$1" "$2" "$3" "$(echo "$k"/root/boot/vmlinuz-*)" ||
			echo "vm: $2: the guest's kernel hung again" >&2
	fi
	tr -d '\r' <"$T/$1.console" | grep -E '^(PASS|FAIL|SKIP): ' >"$T/$1.results"
	cat "$T/$1.results"
	grep -q '^FAIL' "$T/$1.results" && # what the guest said besides
		tr -d '\r' <"$T/$1.console" | sed -n '/nstrace-vm: start/,$p' | grep -vE '^(PASS|SKIP): ' | head -40 >&2
	grep -q . "$T/$1.results" && grep -q '^nstrace-vm: done' "$T/$1.console" ||
		{ fail "$2: the guest ran to its end and reported (see its console below)"; tail -15 "$T/$1.console" >&2; }
}

case $NST in "$PWD"/*) NST=${NST#"$PWD"/} ;; esac # the guest sees the tree elsewhere
command -v qemu-system-x86_64 >/dev/null || sh scripts/deps.sh vm >/dev/null
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ]; then
	skip "vm: qemu-system-x86 or busybox-static is missing; the distribution kernels are not tried"
	exit 0
fi
if ! "$NST" --backend bpf -- true >/dev/null 2>&1; then
	skip "vm: this build has no BPF backend; the distribution kernels are not tried"
	exit 0
fi
# what each lacks, in bpf_features' order
boot bullseye "kernel 5.10 (Debian 11)" bpf_rdonly_cast,bpf_get_current_task_btf,bpf_task_pt_regs
boot bookworm "kernel 6.1 (Debian 12)" bpf_rdonly_cast
