# lib.sh - shared helpers for the integration tests (POSIX sh).
#
# Each test script sources this, calls `check NAME CMD...` per assertion,
# and everything it creates (netns, processes, temp files) is torn down by
# the EXIT trap, even when the script fails halfway.

NST=${NST:-build/nstrace}
# The live tests trace with ptrace unless they say --backend (the default,
# auto, is BPF here): each backend where it is meant.
export NSTRACE_BACKEND=${NSTRACE_BACKEND:-ptrace}
PROGS=${PROGS:-build/progs}
T=$(mktemp -d /tmp/nstrace-test.XXXXXX)
PIDS_STARTED=""

# Namespaces are listed in a file, not a variable: netns_new runs in a
# command substitution, a subshell whose variables the cleanup never sees.
cleanup() {
	for p in $PIDS_STARTED; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS_STARTED; do wait "$p" 2>/dev/null; done
	[ -f "$T/netns.made" ] && for n in $(cat "$T/netns.made"); do ip netns del "$n" 2>/dev/null; done
	[ -f "$T/route.made" ] && ip route del unreachable 198.51.100.0/24 2>/dev/null
	[ -f "$T/cgroup.made" ] && for c in $(cat "$T/cgroup.made"); do
		for d in "$c"/*/; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
		rmdir "$c" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM HUP PIPE

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# check NAME CMD... : PASS when CMD succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# netns_new SUFFIX: a fresh namespace with loopback up; prints its name.
netns_new() {
	n="nst-t$$-$1"
	ip netns add "$n" || return 1
	echo "$n" >>"$T/netns.made"
	ip -n "$n" link set lo up
	echo "$n"
}

netns_ino() { stat -L -c %i "/run/netns/$1"; }

# bg CMD...: start in the background, remember the pid in $BG.
bg() {
	"$@" &
	BG=$!
	PIDS_STARTED="$PIDS_STARTED $BG"
}

# wait_for_line FILE PATTERN [TRIES]: poll (0.1 s) until FILE matches.
wait_for_line() {
	i=0
	while [ $i -lt "${3:-100}" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# bpf_loaded [TRIES]: poll (0.1 s) until nstrace's BPF programs are in the
# kernel: a BPF trace starts when its load ends, which a fixed sleep cannot
# promise on a busy machine.
bpf_loaded() {
	i=0
	while [ $i -lt "${1:-100}" ]; do
		bpftool prog show 2>/dev/null | grep -q on_sys_exit && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# traced_wait PID [TRIES]: poll (0.1 s) until PID is traced: a ptrace
# tracer in its status, or its thread group in the BPF programs' map
traced_wait() {
	i=0
	while [ $i -lt "${2:-100}" ]; do
		[ "$(awk '/^TracerPid:/ {print $2}' /proc/"$1"/status 2>/dev/null)" -gt 0 ] 2>/dev/null && return 0
		[ "$(bpftool -j map dump name tgids 2>/dev/null | jq --argjson p "$1" \
			'any(.[]; .formatted.key == $p)' 2>/dev/null)" = true ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# no_thread_stopped PID: no thread of PID is in tracing stop ('t').
no_thread_stopped() {
	for st in /proc/"$1"/task/*/stat; do
		s=$(sed 's/.*) //' "$st" 2>/dev/null | cut -d' ' -f1)
		[ "$s" = t ] && return 1
	done
	return 0
}

# not_traced PID: TracerPid of every thread is 0.
not_traced() {
	for st in /proc/"$1"/task/*/status; do
		tp=$(awk '/^TracerPid:/ {print $2}' "$st" 2>/dev/null)
		[ -n "$tp" ] && [ "$tp" != 0 ] && return 1
	done
	return 0
}

# alive_and_free PID: running, no thread stopped, no tracer attached.
alive_and_free() {
	kill -0 "$1" 2>/dev/null && no_thread_stopped "$1" && not_traced "$1"
}

# counter_grows FILE: the number in FILE increases, seen within 3 s
# (looked at every 0.1 s: on a busy 2-core machine a traced process's
# writer thread may wait a while for its turn; a stopped one never writes).
counter_grows() {
	a=$(cat "$1")
	i=0
	while [ $i -lt 30 ]; do
		sleep 0.1
		b=$(cat "$1")
		[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] && return 0
		i=$((i + 1))
	done
	return 1
}

# deb_fetch SUITE PACKAGE DIR [DEP]: Debian SUITE's PACKAGE (with DEP, the
# package of PACKAGE's dependencies whose name starts with DEP: a kernel
# metapackage's kernel) downloaded into DIR/apt and unpacked into
# DIR/root, with a sources list and lists directory of its own, so that the
# machine's apt configuration and state are not touched.  A suite gone
# from the mirror is looked for on archive.debian.org.
deb_fetch() {
	suite=$1 pkg=$2 dir=$3 dep=${4:-}
	case $dir in /*) ;; *) dir=$PWD/$dir ;; esac # apt's paths are absolute
	d=$dir/apt
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$dir/root" || return 1
	for mirror in http://deb.debian.org/debian http://archive.debian.org/debian; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$d/sources.list"
		set -- -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
			-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o APT::Get::List-Cleanup=0
		apt-get "$@" update >"$d/update.log" 2>&1 || continue
		want=$pkg
		[ -n "$dep" ] && want=$(apt-cache "$@" depends "$pkg" 2>/dev/null |
			sed -n "s/^ *Depends: \($dep[^ ]*\)\$/\1/p" | head -1)
		# PACKAGE/SUITE: SUITE's version, not the machine's own when newer
		[ -n "$want" ] && (cd "$d" && apt-get "$@" download "$want/$suite" >"$d/download.log" 2>&1) && break
	done
	set -- "$d"/*.deb
	[ -f "$1" ] && dpkg-deb -x "$1" "$dir/root"
}

# jq_true FILE FILTER: the jq filter (over the slurped JSON Lines) is true.
# Lines that are not JSON objects (a traced program's own output) are skipped.
jq_true() {
	[ "$(grep '^{' "$1" | jq -s "$2" 2>/dev/null)" = true ]
}

# dns_lab_up: two namespaces joined by a veth pair.  CTR (the "container",
# 198.51.100.2/24) and UP (the upstream, 198.51.100.53/24) where a real
# dnsmasq serves a few static records and knows no other server
# (--no-resolv): nothing leaves the namespaces this test made.  The host
# gets an unreachable route for the range (when it has none of its own),
# so that even a test's mistake cannot send lab traffic off the machine.
# Sets CTR, UP, CTR_INO.
dns_lab_up() {
	if ! ip route show 198.51.100.0/24 | grep -q . &&
		ip route add unreachable 198.51.100.0/24 2>/dev/null; then
		: >"$T/route.made"
	fi
	CTR=$(netns_new ctr) && UP=$(netns_new up) || return 1
	ip link add "nstc$$" netns "$CTR" type veth peer name "nstu$$" netns "$UP" || return 1
	ip -n "$CTR" addr add 198.51.100.2/24 dev "nstc$$"
	ip -n "$UP" addr add 198.51.100.53/24 dev "nstu$$"
	ip -n "$CTR" link set "nstc$$" up
	ip -n "$UP" link set "nstu$$" up
	CTR_INO=$(netns_ino "$CTR")
	big=$(printf '%0200d' 0 | tr 0 a)
	ip netns exec "$UP" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address=198.51.100.53 --port=53 \
		--user=root --group=root --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" \
		--local=/nstrace.test/ \
		--address=/ok.nstrace.test/198.51.100.10 \
		--ptr-record=10.100.51.198.in-addr.arpa,ok.nstrace.test \
		--txt-record=big.nstrace.test,"$big","$big","$big" &
	PIDS_STARTED="$PIDS_STARTED $!"
	i=0
	while ! ip netns exec "$UP" ss -Hlun 2>/dev/null | grep -q '198.51.100.53:53'; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}
