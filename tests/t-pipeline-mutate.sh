#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-pipeline-mutate.sh - hostile images through the whole pipeline of the
# ASan+UBSan tool: bytes of every section (objdump -h gives the ranges),
# of the PE headers, of the .bpf object and of the zboot header are
# overwritten (deterministic pseudo-random positions and values), and
# `pekexec extract --verify off` must answer with one of its documented
# exit codes, never a sanitizer report or a signal, and leave no output
# behind unless it succeeded.  Exit 0 is fine when the mutation did not
# matter (a byte of .linux is copied as it is).
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
command -v objdump >/dev/null || skip "objdump not installed"
STUB=$IMAGES/linuxx64.efi.stub
UKI=$BUILD/bpf/uki.bpf
ZB=$BUILD/bpf/zboot.bpf
[ -f "$STUB" ] || skip "no \$IMAGES/linuxx64.efi.stub"
[ -f "$UKI" ] && [ -f "$ZB" ] || skip "parser programs not built (make parsers)"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"
RANDOM=4242

head -c 100000 /dev/urandom >kernel.bin
head -c 50001 /dev/urandom >initrd.img
"$PEKEXEC" build-uki --linux kernel.bin --initrd initrd.img --cmdline "console=ttyS0" \
	--stub "$STUB" --parser "$UKI" -o uki.efi
"$PEKEXEC" build-zboot --image kernel.bin --compress gzip --machine x86_64 --parser "$ZB" -o zb.efi
"$PEKEXEC" build-zboot --image kernel.bin --compress zstd22 --machine x86_64 --parser "$ZB" -o zz.efi

# seeds for the fuzz target fuzz-pipeline
mkdir -p "$BUILD/fuzz-seeds/fuzz-pipeline"
cp uki.efi zb.efi zz.efi "$BUILD/fuzz-seeds/fuzz-pipeline/"

runs=0
declare -A seen
try() { # IMAGE LABEL: extract a mutated copy, check the outcome
	local rc=0
	rm -rf out
	"$PEKEXEC" extract --verify off -o out "$1" >log 2>&1 || rc=$?
	runs=$((runs + 1))
	seen[$rc]=$((${seen[$rc]:-0} + 1))
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" log || [ "$rc" -ge 9 ] ||
	   [ "$rc" -eq 2 ]; then
		cat log
		fail "$2: exit $rc"
	fi
	if [ "$rc" -ne 0 ] && [ -e out ]; then
		fail "$2: exit $rc but output was written"
	fi
	if [ "$rc" -ne 0 ] && ! grep -q "pekexec: extract:" log; then
		cat log
		fail "$2: exit $rc without a message"
	fi
}

# mutate IMAGE OFFSET LEN COUNT LABEL: COUNT copies, each with 1-4 random
# bytes changed inside [OFFSET, OFFSET + LEN)
mutate() {
	local img=$1 off=$2 len=$3 count=$4 label=$5 i j pos
	[ "$len" -gt 0 ] || return 0
	for ((i = 0; i < count; i++)); do
		cp "$img" m.efi
		for ((j = 0; j <= RANDOM % 4; j++)); do
			pos=$((off + (RANDOM * 32768 + RANDOM) % len))
			printf "\\x$(printf %02x $((RANDOM % 256)))" |
				dd of=m.efi bs=1 seek="$pos" conv=notrunc 2>/dev/null
		done
		try m.efi "$label #$i"
	done
}

for img in uki.efi zb.efi zz.efi; do
	# headers: DOS header (with the zboot header), PE/COFF/optional headers,
	# section table
	mutate "$img" 0 64 4 "$img DOS/zboot header"
	lfanew=$(od -An -tu4 -j 60 -N4 "$img" | tr -d ' ')
	mutate "$img" "$lfanew" 400 4 "$img PE headers + section table"
	# every section's file bytes; more for .bpf
	while read -r _ name size _ _ off _; do
		n=1
		[ "$name" = .bpf ] && n=8
		mutate "$img" $((0x$off)) $((0x$size)) "$n" "$img $name"
	done < <(objdump -h -w "$img" | awk '$1 ~ /^[0-9]+$/')
done
# zboot: the payload's own bytes, and its declared size fields, exactly
for img in zb.efi zz.efi; do
	off=$(od -An -tu4 -j 8 -N4 "$img" | tr -d ' ')
	size=$(od -An -tu4 -j 12 -N4 "$img" | tr -d ' ')
	mutate "$img" "$off" "$size" 2 "$img payload"
	mutate "$img" 8 8 3 "$img payload offset/size"
	mutate "$img" 24 8 2 "$img compression name"
done
# truncations
for img in uki.efi zb.efi; do
	for cut in 1000 $(($(stat -c %s "$img") / 2)) $(($(stat -c %s "$img") - 1)); do
		head -c "$cut" "$img" >t.efi
		try t.efi "$img cut at $cut"
	done
done
summary=$(for k in "${!seen[@]}"; do echo "exit $k: ${seen[$k]}"; done | sort | tr '\n' ',')
echo "$runs mutated images: $summary no sanitizer report"
[ "${seen[0]:-0}" -lt "$runs" ] || fail "no mutation was ever refused: the test tests nothing"
