# lib.sh - helpers shared by the benchmark scripts (sourced).

# median: the middle of the numbers on stdin, one a line
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# ms_of CMD...: run it, print its wall time in milliseconds
ms_of() {
	a=$(date +%s%N)
	"$@" >/dev/null 2>&1
	b=$(date +%s%N)
	echo $(((b - a) / 1000000))
}
