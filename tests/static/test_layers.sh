#!/bin/sh
# The layout is the pipeline: sources (tracer/, import/, firewall/) feed the model
# (model/), whose events go to the analyzers (analyzers/), whose findings
# go to the outputs (output/), all wired by the command line (cli/); diagnose/
# is the subcommand's own parts (the target, its resolv.conf, the probe, the
# verdict); names/
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
	diagnose) echo "model names analyzers output diagnose" ;;
	cli) echo "model names tracer import firewall analyzers output diagnose cli" ;;
	esac
}

for d in model names tracer import firewall analyzers output diagnose cli; do
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
# file_graph OUT NAME=OBJECT...: the file-to-file uses into OUT.
file_graph() {
	out=$1
	shift
	: >"$out.defs"
	: >"$out.uses"
	for no in "$@"; do
		f=${no%%=*}
		o=${no#*=}
		nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print $3, f }' >>"$out.defs"
		nm -u "$o" | awk -v f="$f" '{ print $2, f }' >>"$out.uses"
	done
	sort -u "$out.defs" -o "$out.defs"
	sort -u "$out.uses" -o "$out.uses"
	join "$out.uses" "$out.defs" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$out"
	rm -f "$out.defs" "$out.uses"
}

# The check itself sees a circle: two files that call each other.
t=$(mktemp -d)
printf 'void b(void);\nvoid a(void) { b(); }\n' >"$t/a.c"
printf 'void a(void);\nvoid b(void) { a(); }\n' >"$t/b.c"
printf 'void a(void);\nvoid c(void) { a(); }\n' >"$t/c.c"
if cc -c -o "$t/a.o" "$t/a.c" && cc -c -o "$t/b.o" "$t/b.c" && cc -c -o "$t/c.o" "$t/c.c"; then
	file_graph "$t/g" a="$t/a.o" b="$t/b.o"
	file_graph "$t/h" a="$t/a.o" c="$t/c.o"
	if ! tsort "$t/g" >/dev/null 2>&1 && tsort "$t/h" >/dev/null 2>&1 && [ -s "$t/h" ]; then
		echo "PASS: layers: the circle check fails on two files that use each other, not on one-way use"
	else
		echo "FAIL: layers: the circle check missed a circle of two files, or saw one in a one-way use"
	fi
else
	echo "FAIL: layers: could not build the circle check's own two files"
fi
rm -rf "$t"

if ls build/asan/obj/*/*.o >/dev/null 2>&1; then
	g=$(mktemp)
	# the objects of today's sources only (a renamed file's old object
	# may linger in a working tree's build/)
	set --
	for c in $(ls model/*.c names/*.c tracer/*.c import/*.c firewall/*.c analyzers/*.c output/*.c cli/*.c |
		grep -v '\.bpf\.c$\|^cli/main\.c$'); do
		[ -f "build/asan/obj/${c%.c}.o" ] && set -- "$@" "${c%.c}=build/asan/obj/${c%.c}.o"
	done
	file_graph "$g" "$@"
	if loop=$(tsort "$g" 2>&1 >/dev/null) && [ -s "$g" ]; then
		echo "PASS: layers: no circle between files ($(wc -l <"$g") file-to-file uses, by the objects' symbols)"
	else
		echo "FAIL: layers: files use each other in a circle:"
		echo "$loop" | sed 's/^/    /'
	fi
	rm -f "$g"
else
	echo "SKIP: layers: no objects to read symbols from (make asan first)"
fi
