#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-zero-copy.sh - the pipeline's zero copy (docs/pipeline.md "Zero copy")
# against a hostile program, tests/bpf-progs/tamper.bpf.c, which changes its
# records around what it read from the image: `extract` must write exactly
# the bytes the program handed over, never the image's bytes the sandbox's
# hint names.  Modes (the program's header): n an honest range, b a byte
# changed before the send, c an honest record then a changed one, a the
# record changed after the send and sent again as initrd, p a second read
# over part of the first.  Oracle: the image's bytes cut out with dd and
# the byte inverted with od/printf; `cmp` with the outputs.  Runs the ASan
# build ($PEKEXEC): a pipeline that kept a record's address would read
# freed memory.  With the sink trusting the hint (no comparison), modes b
# and c fail here (the kernel is the image's bytes).
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"
STUB=$IMAGES/linuxx64.efi.stub
[ -f "$STUB" ] || skip "no \$IMAGES/linuxx64.efi.stub"
need dd od cmp

OFF=4096 LEN=8192
cut_out() { dd if="$1" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$3" 2>/dev/null; }
invert() { # FILE POS: invert the byte at POS
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\x%02x' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

for form in bpf.o lskel.o; do
	"$PEKEXEC" add-bpf --parser "$PROGS/tamper.$form" "$STUB" t.efi
	[ "$(file_size t.efi)" -ge $((OFF + 2 * LEN + 16)) ] || fail "t.efi too small"
	for mode in n b c a p; do
		rm -rf out
		"$PEKEXEC" extract --verify off --append $mode -o out t.efi >/dev/null 2>err.txt ||
			{ cat err.txt; fail "$form $mode: extract failed"; }
		case $mode in
		n) cut_out t.efi $OFF $((2 * LEN)) >want ;;
		b) cut_out t.efi $OFF $LEN >want; invert want 7 ;;
		c) cut_out t.efi $OFF $((2 * LEN)) >want; invert want $((LEN + 7)) ;;
		a) cut_out t.efi $OFF $LEN >want
		   cp want want-initrd; invert want-initrd 7
		   cmp out/initrd want-initrd || fail "$form $mode: initrd" ;;
		p) { cut_out t.efi $((OFF + LEN)) 16; cut_out t.efi $((OFF + 16)) $((LEN - 16)); } >want ;;
		esac
		cmp out/kernel want || fail "$form $mode: kernel is not what the program sent"
		[ $mode = a ] || [ ! -s out/initrd ] || fail "$form $mode: unexpected initrd"
	done
done
echo "2 forms x 5 modes: the outputs are the bytes the program handed over"
