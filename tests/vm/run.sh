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
# VM_ONLY=bullseye or bookworm boots one; VM_SCRIPT runs another guest script
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
	# the guest runs this tree's build, as the host sees it
	timeout 1200 qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 1536 -nographic -no-reboot \
		-nic none -kernel "$(echo "$k"/root/boot/vmlinuz-*)" -initrd "$T/initrd.cpio" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-append "console=ttyS0 panic=-1 quiet nst.dir=$PWD nst.nst=$NST nst.without=$3 nst.script=$VM_SCRIPT" \
		</dev/null >"$T/$1.console" 2>&1
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
