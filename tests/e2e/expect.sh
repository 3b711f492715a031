# SPDX-License-Identifier: MIT
# expect.sh - sourced by the guests' scripts (first-init.sh, kdump-init.sh,
# sb-guest.sh): one check, one line for tests/lib/vm-lib.sh's vm_results.
#
# expect NAME RC REGEX CMD...: CMD exits RC and its output matches REGEX
# (extended, empty: any).  Prints CMD's output indented, then
# "PKVM PASS NAME" or "PKVM FAIL NAME: why", then "PKVM INFO NAME took N s".
expect() {
	name=$1 want=$2 re=$3
	shift 3
	t0=$(date +%s)
	"$@" >/tmp/out 2>&1
	rc=$?
	sed 's/^/  | /' /tmp/out
	if [ "$rc" -ne "$want" ]; then
		echo "PKVM FAIL $name: exit $rc, want $want"
	elif [ -n "$re" ] && ! grep -Eq -- "$re" /tmp/out; then
		echo "PKVM FAIL $name: output lacks /$re/"
	else
		echo "PKVM PASS $name"
	fi
	echo "PKVM INFO $name took $(($(date +%s) - t0)) s"
}
