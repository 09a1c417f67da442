#!/bin/sh
# The layout is the pipeline: sources (tracer/, import/, firewall/) feed the model
# (model/), whose events go to the analyzers (analyzers/), whose findings
# go to the outputs (output/), all wired by the command line (cli/); names/
# says which container a namespace belongs to.  Each
# folder may include only what its README allows; this checks every
# #include line against that.
cd "$(dirname "$0")/../.." || exit 2

allowed() { # DIR -> the folders its code may include
	case $1 in
	model) echo "model" ;;
	names) echo "model names" ;;
	tracer) echo "model tracer" ;;
	import) echo "model import" ;;
	firewall) echo "model firewall" ;;
	analyzers) echo "model analyzers" ;;
	output) echo "model analyzers output" ;;
	cli) echo "model names tracer import firewall analyzers output cli" ;;
	esac
}

for d in model names tracer import firewall analyzers output cli; do
	# (an include without a folder is a generated header in build/: the
	# BPF skeleton, vmlinux.h)
	bad=$(grep -Hn '^#include "[a-z]*/' $d/*.c $d/*.h | while IFS= read -r l; do
		dep=$(echo "$l" | sed 's/.*#include "\([a-z]*\)\/.*/\1/')
		case " $(allowed $d) " in *" $dep "*) ;; *) echo "$l" ;; esac
	done)
	if [ -z "$bad" ]; then
		echo "PASS: layers: $d/ includes only $(allowed $d | sed 's/ /, /g')"
	else
		echo "FAIL: layers: $d/ includes what its README forbids:"
		echo "$bad" | sed 's/^/    /'
	fi
	if [ ! -f "$d/README.md" ]; then
		echo "FAIL: layers: $d/ has no README.md"
		continue
	fi
	# every file is named there: "x.c", "x.h" or "x.{h,c}"
	unnamed=$(for f in $d/*.c $d/*.h; do
		b=${f##*/}
		grep -qF -e "$b" -e "${b%.*}.{" "$d/README.md" || echo "$b"
	done)
	if [ -z "$unnamed" ]; then
		echo "PASS: layers: $d/README.md says what lives there, naming each of its files"
	else
		echo "FAIL: layers: $d/README.md does not name:" $unnamed
	fi
done

# Events are typed: nothing downstream of the sources looks at a syscall's
# name (the name is only printed).
names=$(grep -n 'syscall\[\|cmp([^)]*syscall' analyzers/*.c output/*.c cli/*.c import/*.c tracer/*.c)
if [ -z "$names" ]; then
	echo "PASS: typed events: no code compares syscall names"
else
	echo "FAIL: typed events: syscall names compared:"
	echo "$names" | sed 's/^/    /'
fi

# No circle between files: A -> B when A's object uses a symbol B's
# defines (the sanitized objects: LTO's hold no symbol table); the whole
# graph must sort (tsort fails on a loop, and names its files).
if ls build/asan/obj/*/*.o >/dev/null 2>&1; then
	g=$(mktemp)
	# the objects of today's sources only (a renamed file's old object
	# may linger in a working tree's build/)
	for c in $(ls model/*.c names/*.c tracer/*.c import/*.c firewall/*.c analyzers/*.c output/*.c cli/*.c |
		grep -v '\.bpf\.c$\|^cli/main\.c$'); do
		f=${c%.c}
		o=build/asan/obj/$f.o
		[ -f "$o" ] || continue
		nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print $3, f }' >>"$g.defs"
		nm -u "$o" | awk -v f="$f" '{ print $2, f }' >>"$g.uses"
	done
	sort -u "$g.defs" -o "$g.defs"
	sort -u "$g.uses" -o "$g.uses"
	join "$g.uses" "$g.defs" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$g"
	if loop=$(tsort "$g" 2>&1 >/dev/null) && [ -s "$g" ]; then
		echo "PASS: layers: no circle between files ($(wc -l <"$g") file-to-file uses, by the objects' symbols)"
	else
		echo "FAIL: layers: files use each other in a circle:"
		echo "$loop" | sed 's/^/    /'
	fi
	rm -f "$g" "$g.defs" "$g.uses"
else
	echo "SKIP: layers: no objects to read symbols from (make asan first)"
fi
