#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-suite.sh - a runner for the BPF conformance suite's .data files that
# drives a plugin exactly as the official bpf_conformance_runner does
# (../shared/bpf-conformance/README.md): one plugin process per test, the
# memory as first argument ("aa  bb  " hex), the program as hex bytes on
# stdin, r0 expected in hex on stdout; "-- error" compared with stdout (or
# stderr if stdout is empty), trailing whitespace removed.
#
#   run-suite.sh DIR PLUGIN [PLUGIN_OPTIONS...]
#
# Runs every test (cpu v4 with the callx group: all of them) and prints
# PASS/FAIL/ERROR per test, then "Passed X out of Y tests."; exit 0 only
# if all passed.
set -u
dir=$1 plugin=$2
shift 2
passed=0 total=0

# section NAME FILE: the lines of one section, comments and blanks removed
section() {
	awk -v want="$1" '
		{ sub(/#.*/, "") }
		/--/ { s = $0; sub(/^[ \t]*--[ \t]*/, "", s); sub(/[ \t]+$/, "", s);
		       cur = s; next }
		cur == want && NF { print }
	' "$2"
}

for f in "$dir"/*.data; do
	name=$(basename "$f" .data)
	total=$((total + 1))
	# program: 64-bit little-endian words -> hex bytes
	prog=$(section raw "$f" | while read -r w; do
		w=${w#0x}
		printf '%s %s %s %s %s %s %s %s ' "${w:14:2}" "${w:12:2}" "${w:10:2}" \
			"${w:8:2}" "${w:6:2}" "${w:4:2}" "${w:2:2}" "${w:0:2}"
	done)
	mem=$(section mem "$f" | tr -s ' \t\n' '\n' | sed '/^$/d' |
		tr 'A-F' 'a-f' | awk '{ printf "%s  ", $1 }')
	result=$(section result "$f" | head -n 1 | tr -d ' \t')
	experr=$(section error "$f" | sed 's/[ \t]*$//')
	args=()
	[ -n "$mem" ] && args+=("$mem")
	args+=("$@")
	out=$(printf '%s\n' "$prog" | "$plugin" "${args[@]}" 2>"${TMPDIR:-/tmp}/plugin.err")
	rc=$?
	err=$(cat "${TMPDIR:-/tmp}/plugin.err")
	if [ -n "$experr" ]; then
		got=${out:-$err}
		got=$(printf '%s' "$got" | sed 's/[ \t]*$//')
		if [ "$got" = "$experr" ]; then
			passed=$((passed + 1)); echo "PASS: $name"
		else
			echo "FAIL: $name: expected error '$experr', got '$got'"
		fi
		continue
	fi
	if [ $rc -ne 0 ]; then
		echo "ERROR: $name: plugin exited $rc: $err"
		continue
	fi
	case "$result" in
	*0x*|*0X*) want=$((result)) ;;
	*) want=$((10#${result#-})); [ "${result:0:1}" = "-" ] && want=$((-want)) ;;
	esac
	got=$((0x${out#0x}))
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1)); echo "PASS: $name"
	else
		printf 'FAIL: %s: r0 = 0x%x, expected 0x%x\n' "$name" "$got" "$want"
	fi
done
echo "Passed $passed out of $total tests."
[ "$passed" -eq "$total" ] && [ "$total" -gt 0 ]
