#!/bin/sh
# make install / uninstall with DESTDIR and PREFIX: the tool, its manual
# page as man shows it, and a bash completion that loads and completes
# options, subcommands, dockerd's pid first after -p, and ip netns names
# after --container.
. tests/lib.sh

D="$T/root"
make -s install DESTDIR="$D" PREFIX=/usr >"$T/make.out" 2>&1
check "install: make install DESTDIR PREFIX=/usr puts the tool in usr/bin, executable" \
	sh -c "[ -x '$D/usr/bin/nstrace' ] && '$D/usr/bin/nstrace' --version | grep -q '^nstrace '"
check "install: the manual page is in usr/share/man/man1" [ -f "$D/usr/share/man/man1/nstrace.1" ]
MANWIDTH=80 man -l "$D"/usr/share/man/man1/nstrace.1* >"$T/man.txt" 2>"$T/man.err"
check "install: man -l shows the manual" \
	sh -c "grep -q '^NAME' '$T/man.txt' && grep -q 'nstrace *- *trace *sockets' '$T/man.txt' && grep -q '^EXAMPLES' '$T/man.txt'"
C="$D/usr/share/bash-completion/completions/nstrace"
check "install: the bash completion is in usr/share/bash-completion/completions" [ -f "$C" ]
make -s install DESTDIR="$T/dflt" >/dev/null 2>&1
check "install: PREFIX defaults to /usr/local" [ -x "$T/dflt/usr/local/bin/nstrace" ]

# complete WORDS...: what the completion offers for the last word, one a
# line, with the installed nstrace first on PATH
complete_words() {
	PATH="$D/usr/bin:$PATH" bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_nstrace; printf "%s\n" "${COMPREPLY[@]}"' _ "$C" "$@"
}
check "completion: the file loads in bash and registers nstrace" \
	bash -c "source '$C' && complete -p nstrace | grep -q _nstrace"
check "completion: with bash-completion's own loader too" \
	bash -c "[ -f /usr/share/bash-completion/bash_completion ] && source /usr/share/bash-completion/bash_completion && source '$C' && complete -p nstrace | grep -q _nstrace"
got=$(complete_words nstrace --con)
check "completion: options (--con -> --container)" [ "$got" = --container ]
got=$(complete_words nstrace re)
check "completion: subcommands (re -> replay)" [ "$got" = replay ]
complete_words nstrace replay - >"$T/replay.opts"
check "completion: replay's options, not live ones" \
	sh -c "grep -qx -- --json '$T/replay.opts' && grep -qx -- -w '$T/replay.opts' && ! grep -qx -- -p '$T/replay.opts'"
got=$(complete_words nstrace --fail-on w)
check "completion: --fail-on levels" [ "$got" = warning ]

# a process named dockerd: offered first after -p
mkdir -p "$T/bin" && cp "$(command -v sleep)" "$T/bin/dockerd"
bg "$T/bin/dockerd" 60
sleep 0.2
complete_words nstrace -p "" >"$T/pids"
check "completion: after -p dockerd's pid comes first ($BG), then the others" \
	sh -c "pidof dockerd | tr ' ' '\n' | grep -qx \"\$(head -1 '$T/pids')\" && grep -qx '$BG' '$T/pids' && grep -qx 1 '$T/pids'"
ns=$(netns_new comp)
complete_words nstrace --container "" >"$T/names"
check "completion: after --container the ip netns names ($ns)" grep -qx "$ns" "$T/names"

make -s uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check "uninstall: removes the tool, the page and the completion" \
	sh -c "[ ! -e '$D/usr/bin/nstrace' ] && [ ! -e '$D/usr/share/man/man1/nstrace.1' ] && [ ! -e '$C' ]"
