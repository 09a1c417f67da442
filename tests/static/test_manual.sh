#!/bin/sh
# The manual page (docs/nstrace.1) lints clean, has its sections, and stays
# in step with the tool: its OPTIONS are --help's options, and its FINDINGS
# are the finding rows of analyzers/catalog.c.
cd "$(dirname "$0")/../.." || exit 2
M=docs/nstrace.1
NST=${NST:-build/nstrace}
T=$(mktemp -d /tmp/nstrace-man.XXXXXX)
trap 'rm -rf "$T"' EXIT

check() {
	name=$1
	shift
	if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fi
}

mandoc -T lint "$M" >"$T/lint" 2>&1
check "manual: mandoc -T lint finds nothing, not even style" sh -c "[ ! -s '$T/lint' ]"
groff -ww -z -man "$M" >"$T/groff" 2>&1
check "manual: groff -ww finds nothing" sh -c "[ ! -s '$T/groff' ]"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS SUBCOMMANDS FINDINGS "JSON OUTPUT" "EXIT STATUS" \
	ENVIRONMENT EXAMPLES "SEE ALSO"; do
	check "manual: has the section $s" grep -qx ".SH \"\\{0,1\\}$s\"\\{0,1\\}" "$M"
done

# The text of one section: from its .SH to the next.
section() { awk -v s="$1" '/^\.SH / {on = ($0 == ".SH " s || $0 == ".SH \"" s "\"")} on' "$M"; }
# Options in the tag line after each .TP: -x and --long.
section OPTIONS | awk 'tp {print; tp = 0} /^\.TP/ {tp = 1}' | sed 's/\\-/-/g' |
	grep -o -- '--\{0,1\}[a-zA-Z][a-zA-Z-]*' | grep '^-' | sort -u >"$T/man.opts"
"$NST" --help | grep '^  -' | sed 's/^ *//; s/  .*//' | tr ',' '\n' | awk '{print $1}' | sort -u >"$T/help.opts"
check "manual: OPTIONS lists every option of --help, and no other ($(wc -l <"$T/help.opts") options)" \
	sh -c "[ -s '$T/help.opts' ] && cmp -s '$T/man.opts' '$T/help.opts'"
[ -s "$T/help.opts" ] && ! cmp -s "$T/man.opts" "$T/help.opts" && diff "$T/man.opts" "$T/help.opts" | sed 's/^/  /'

sed -n 's/.*\[FIND_[A-Z_]*\] = { "\([a-z-]*\)".*/\1/p' analyzers/catalog.c | sort >"$T/rows"
section FINDINGS | awk 'tp {print; tp = 0} /^\.TP/ {tp = 1}' | sed 's/^\.B //; s/\\-/-/g' | sort >"$T/man.rows"
check "manual: FINDINGS explains every finding row, and no other ($(wc -l <"$T/rows") rows)" \
	sh -c "[ -s '$T/rows' ] && cmp -s '$T/rows' '$T/man.rows'"
check "manual: the page's version is the tool's" \
	grep -q "\"nstrace $("$NST" --version | awk '{print $2}')\"" "$M"
