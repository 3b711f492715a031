#!/bin/bash
# SPDX-License-Identifier: MIT
# t-conformance.sh - the BPF conformance suite (cpu v4, callx group
# included) through build/pekexec-conformance-plugin, i.e. the sandbox's
# verifier and interpreter.  The expected r0 of each test is the suite's.
set -u
suite=${BPF_CONFORMANCE_DIR:-$TOP/../shared/bpf-conformance}
plugin=$BUILD/pekexec-conformance-plugin
if [ ! -d "$suite" ]; then
	echo "SKIP: conformance suite not found at $suite"
	exit 77
fi
[ -x "$plugin" ] || { echo "missing $plugin (make check builds it)"; exit 1; }
n=$(ls "$suite"/*.data | wc -l)
out=$("$TOP/tests/conformance/run-suite.sh" "$suite" "$plugin")
rc=$?
echo "$out" | grep -v '^PASS:'
[ "$rc" -eq 0 ] || exit 1
# every file of the suite ran, and every one passed
echo "$out" | grep -qx "Passed $n out of $n tests." || exit 1
