#!/bin/sh
# deps.sh - install the Debian packages nstrace needs, and nothing when they
# are all there already (no apt-get call at all then): safe to run before
# every build and test.
#
# usage: scripts/deps.sh [GROUP...]   groups: build test e2e vm bench (default: build test e2e vm)
set -u

# libbpf-dev, bpftool, clang: the BPF backend (--backend bpf), built where
# the kernel has BTF
pkgs_build="gcc make libjansson-dev libunwind-dev libcurl4-openssl-dev libbpf-dev bpftool clang"
# clang and libclang-rt-14-dev: the libFuzzer harnesses (make fuzz); tshark:
# -w files opened as Wireshark would; mandoc, man-db: the manual page linted
# and shown; bash-completion: the completion loaded as installed
# musl-tools, golang-go, nodejs, python3, curl, busybox-static: the
# resolver clients of tests/integration/test_clients.sh
pkgs_test="iproute2 jq procps util-linux dnsmasq-base iptables nftables strace time bind9-dnsutils clang libclang-rt-14-dev perl tshark mandoc man-db bash-completion musl-tools golang-go nodejs python3 curl busybox-static"
# the real-dockerd lab (tests/e2e): dockerd, containerd, a busybox image,
# dig, and dnsperf (the concurrency-limit scenario)
pkgs_e2e="docker.io iptables dnsmasq-base busybox-static bind9-dnsutils dnsperf podman netavark aardvark-dns"
# the BPF backend on Debian's own older kernels, booted in qemu (tests/vm)
pkgs_vm="qemu-system-x86 busybox-static"
pkgs_bench="dnsperf"

groups=${*:-build test e2e vm}
want=""
for g in $groups; do
	case $g in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	e2e) want="$want $pkgs_e2e" ;;
	vm) want="$want $pkgs_vm" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$g' (build test e2e vm bench)" >&2; exit 2 ;;
	esac
done
missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
apt-get update -qq >/dev/null 2>&1
# A package must not start services of its own here (docker.io, dnsmasq):
# the tests start exactly the daemons they need, pointed at their own DNS.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/tmp/nstrace-apt.log 2>&1
rc=$?
rm -f /usr/sbin/policy-rc.d
[ $rc -eq 0 ] || { echo "deps.sh: apt-get install failed (see /tmp/nstrace-apt.log)" >&2; tail -5 /tmp/nstrace-apt.log >&2; }
exit $rc
