# diagnose_lib.sh - running nstrace diagnose in the e2e labs (sourced).
dg() { # NAME TARGET [NAME...]: the diagnosis as JSON in $T/dg-NAME.json
	nm=$1
	shift
	timeout 90 "$NST" diagnose --json "$@" >"$T/dg-$nm.json" 2>"$T/dg-$nm.err"
	echo $? >"$T/dg-$nm.rc"
	# E2E_KEEP=DIR: the text report too, kept there (for the README)
	[ -n "$E2E_KEEP" ] && timeout 90 "$NST" diagnose "$@" >"$E2E_KEEP/$DV-$nm.txt" 2>&1 &&
		cp "$T/dg-$nm.json" "$E2E_KEEP/$DV-$nm.json"
	return 0
}
dgok() { jq -e "$2" "$T/dg-$1.json" >/dev/null 2>&1; }
rc_is() { [ "$(cat "$T/dg-$1.rc")" = "$2" ]; }
