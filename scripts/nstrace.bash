# bash completion for nstrace(1); `make install` puts it in
# share/bash-completion/completions/nstrace.
#
# Options and subcommands come from `nstrace --help`, so they stay those of
# the nstrace installed.  After -p, dockerd's pids come first, then every
# other process; after --container and diagnose, the running containers (when the Docker
# API answers: the docker CLI, or the API's socket through curl) and the ip
# netns names.

_nstrace_pids()
{
	local d
	d=$(pidof dockerd 2>/dev/null)
	printf '%s\n' $d
	ps -e -o pid= 2>/dev/null | awk -v d=" $d " 'index(d, " " $1 " ") == 0 {print $1}'
}

_nstrace_containers()
{
	local sock
	if command -v docker >/dev/null 2>&1; then
		timeout 2 docker ps --format '{{.Names}}' 2>/dev/null
	else
		case ${DOCKER_HOST:-unix:///var/run/docker.sock} in
		unix://*) sock=${DOCKER_HOST#unix://} ;;
		*) sock="" ;;
		esac
		[ -z "${DOCKER_HOST}" ] && sock=/var/run/docker.sock
		[ -S "$sock" ] && command -v curl >/dev/null 2>&1 &&
			curl -s -m 2 --unix-socket "$sock" http://localhost/containers/json 2>/dev/null |
			grep -o '"Names":\["/[^"]*"' | sed 's/.*"\///; s/"$//'
	fi
	ip netns list 2>/dev/null | awk '{print $1}'
}

_nstrace()
{
	local cur prev words cword sub="" i opts
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		replay | check | diagnose) sub=${words[i]}; break ;;
		--) return 0 ;; # the command's own arguments
		esac
	done

	case $prev in
	-p)
		COMPREPLY=($(compgen -W "$(_nstrace_pids)" -- "$cur"))
		# dockerd first, as found, not sorted among the others
		[ ${#COMPREPLY[@]} -gt 0 ] && compopt -o nosort 2>/dev/null
		return 0
		;;
	--container)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_nstrace_containers)" -- "$cur"))
		return 0
		;;
	--fail-on)
		COMPREPLY=($(compgen -W "info warning error" -- "$cur"))
		return 0
		;;
	-o | -w | --expect | --write-expect)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	-s | --duration | --dns-timeout | --stack-depth)
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		opts=$("${words[0]:-nstrace}" ${sub:+"$sub"} --help 2>/dev/null |
			grep -o -- '^  -[^ ]*\( --[a-z-]*\)\{0,1\}' | tr -d ',' | tr ' ' '\n' | grep -- '^-')
		COMPREPLY=($(compgen -W "$opts --" -- "$cur"))
		return 0
	fi
	if [ "$sub" = diagnose ]; then # its TARGET: a container, an ip netns, a pid
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_nstrace_containers)" -- "$cur"))
		return 0
	fi
	if [ -n "$sub" ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
	fi
	COMPREPLY=($(compgen -W "diagnose replay check" -- "$cur"))
}
complete -F _nstrace nstrace
