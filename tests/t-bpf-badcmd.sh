#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-badcmd.sh - tests/bpf-progs/badcmd.bpf.c sends an unknown command
# or a malformed record, ignores the error, then sends a good COPY/KERNEL
# and COPY/CMDLINE.  As in the kernel (docs/kernel.md: the first failing
# command fails the stage), the stage must fail and leave nothing:
#   - `bpf run` shows the bad record reached the dispatcher (exit 7);
#   - `extract` of a PE carrying the program in .bpf exits 7 naming the
#     record, and writes no output directory.
# Oracles: the record the source builds (127/1; 2/3 with payload_len 64),
# and the absence of output.
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"
STUB=$IMAGES/linuxx64.efi.stub
[ -f "$STUB" ] || skip "no \$IMAGES/linuxx64.efi.stub"

head -c 4096 /dev/urandom >img
for form in bpf.o lskel.o; do
	for first in u m; do
		rc=0
		"$PEKEXEC" bpf run --cmdline "$first" "$PROGS/badcmd.$form" img >out.txt 2>err.txt ||
			rc=$?
		[ $rc = 7 ] || { cat out.txt err.txt; fail "badcmd.$form ($first): exit $rc, want 7"; }
		if [ $first = m ]; then
			want='^command 1: COPY/CMDLINE (2/3) malformed payload_len=64 error=-EINVAL$'
		else
			want='^command 1: ?/KERNEL (127/1) unknown payload_len=0 error=-EINVAL$'
		fi
		grep -q "$want" out.txt || { cat out.txt; fail "badcmd.$form ($first): command 1"; }
	done
done
echo "bpf run: the unknown command and the malformed record reach the dispatcher"

"$PEKEXEC" add-bpf --parser "$PROGS/badcmd.lskel.o" "$STUB" bad.efi
for first in u m; do
	rc=0
	"$PEKEXEC" extract --append "$first" -o out-$first bad.efi 2>err.txt || rc=$?
	cat err.txt
	[ $rc = 7 ] || fail "extract ($first): exit $rc, want 7"
	if [ $first = m ]; then
		grep -q 'stage 1 (bad.efi): malformed command record 2/3 (payload_len 64' err.txt ||
			fail "extract ($first): message"
	else
		grep -q 'stage 1 (bad.efi): unknown command 127/1$' err.txt ||
			fail "extract ($first): message"
	fi
	[ ! -e out-$first ] || fail "extract ($first): output left behind"
done
echo "extract: the stage fails although the program went on and sent a kernel"
