#!/bin/bash
# SPDX-License-Identifier: MIT
# t-docs.sh - the documentation matches the tool: every verb that
# `pekexec --help` lists, and every long option each `pekexec VERB --help`
# prints, is described in man/pekexec.8; every exit code in tool/tool.h is
# listed in --help, the man page and the README.
set -u
fail=0
man="$TOP/man/pekexec.8"
[ -f "$man" ] || { echo "man/pekexec.8 missing"; exit 1; }
manpage=$(cat "$man")

verbs=$("$PEKEXEC" --help | sed -n '/^Verbs:/,/^$/p' | awk 'NR>1 && NF {print $1}')
[ -n "$verbs" ] || { echo "no verbs in --help"; exit 1; }
for v in $verbs; do
	vesc=$(printf '%s' "$v" | sed 's/-/\\\\-/g')
	if ! grep -q "^\.SS \"\?\($v\|$vesc\)\b" "$man"; then
		echo "verb '$v' has no .SS section in the man page"
		fail=1
	fi
	help=$("$PEKEXEC" "$v" --help 2>&1) || { echo "'pekexec $v --help' failed"; fail=1; }
	for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		# roff escapes dashes as \-
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		if ! printf '%s' "$manpage" | grep -q -- "$esc\|$opt"; then
			echo "option '$opt' of '$v' is not in the man page"
			fail=1
		fi
	done
done

codes=$(sed -n 's/^\tPK_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' "$TOP/tool/tool.h")
help=$("$PEKEXEC" --help)
for c in $codes; do
	printf '%s\n' "$help" | grep -Eq "(^| )$c [A-Za-z]" || { echo "exit code $c not in --help"; fail=1; }
	grep -Eq "^(\.IP|\.TP)? ?\"?$c\"?( |$)|^\.B $c$" "$man" || { echo "exit code $c not in the man page"; fail=1; }
	grep -q "^| $c |" "$TOP/README.md" || { echo "exit code $c not in README"; fail=1; }
done
[ $fail -eq 0 ] && echo "docs match: verbs: $(echo $verbs | wc -w), exit codes: $(echo $codes | wc -w)"
exit $fail
