#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-verify.sh - `pekexec bpf verify` and the verb's errors: good programs
# in both forms (exit 0; instruction count as llvm-objdump counts the
# program's function plus the subprograms it calls, for the ELF form), a
# program every verifier refuses (exit 7, instruction index and the source
# line marked REJECT-HERE, found by grep), malformed objects (exit 3), usage
# (exit 2), a missing file (exit 1), --help.
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"

for p in zboot_parser sections zboot_parser-shuffled; do
	for form in bpf.o lskel.o; do
		"$PEKEXEC" bpf verify "$PROGS/$p.$form" >out.txt || fail "$p.$form: exit $?"
		grep -q ': ok: program ' out.txt || fail "$p.$form: no ok line"
	done
done

# the ELF form's instruction count: the zboot program has no subprograms,
# so it is its function's size / 8 as llvm-objdump sees it
if command -v llvm-objdump >/dev/null; then
	n=$(llvm-objdump -t "$PROGS/zboot_parser.bpf.o" | awk '$NF == "parse_zboot" {print $(NF-1)}')
	n=$((0x$n / 8))
	"$PEKEXEC" bpf verify "$PROGS/zboot_parser.bpf.o" | grep -q ": $n instructions" ||
		fail "zboot_parser: instruction count is not $n"
fi

line=$(grep -n 'REJECT-HERE' "$TOP/tests/bpf-progs/reject_null.bpf.c" | cut -d: -f1)
for form in bpf.o lskel.o; do
	rc=0
	"$PEKEXEC" bpf verify "$PROGS/reject_null.$form" 2>err.txt || rc=$?
	cat err.txt
	[ $rc = 7 ] || fail "reject_null.$form: exit $rc, want 7"
	grep -q 'insn [0-9][0-9]*: ' err.txt || fail "reject_null.$form: no instruction index"
	grep -q "reject_null.bpf.c:$line: " err.txt || fail "reject_null.$form: not line $line"
	grep -q 'NULL' err.txt || fail "reject_null.$form: the rule is not named"
done

# malformed: truncated object, garbage, an ELF that is not BPF
head -c 100 "$PROGS/zboot_parser.bpf.o" >trunc.o
head -c 5000 /dev/urandom >garbage.o
for f in trunc.o garbage.o /bin/true; do
	rc=0
	"$PEKEXEC" bpf verify "$f" 2>err.txt || rc=$?
	cat err.txt
	[ $rc = 3 ] || fail "$f: exit $rc, want 3"
	grep -q "$f" err.txt || fail "$f: message does not name the file"
done

rc=0; "$PEKEXEC" bpf verify 2>/dev/null || rc=$?; [ $rc = 2 ] || fail "no argument: exit $rc"
rc=0; "$PEKEXEC" bpf frob x 2>/dev/null || rc=$?; [ $rc = 2 ] || fail "bad subcommand: exit $rc"
rc=0; "$PEKEXEC" bpf run "$PROGS/zboot_parser.bpf.o" 2>/dev/null || rc=$?; [ $rc = 2 ] || fail "run without image: exit $rc"
rc=0; "$PEKEXEC" bpf verify no-such-file.o 2>err.txt || rc=$?
[ $rc = 1 ] && grep -q no-such-file.o err.txt || fail "missing file: exit $rc"
"$PEKEXEC" bpf --help | grep -q 'pekexec bpf run' || fail "--help"
"$PEKEXEC" bpf run --help | grep -q -- '--no-decompress' || fail "run --help"
echo ok
