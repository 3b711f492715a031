#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-zboot.sh - the zboot parser program (tests/bpf-progs/zboot_parser,
# written like the upstream posting's) runs unchanged as an ELF object and as
# a .bpf light-skeleton object, built against the executor's vmlinux.h and
# against a reordered one (CO-RE), on synthetic zboot images whose payload
# the gzip / zstd / xz CLIs made.  Oracles: the CLI's input (sha256 of the
# decompressed output) and the payload file itself (size, sha256).  The same
# program inside a PE's .bpf section (added by binutils objcopy through
# tests/lib/mkuki-objcopy.sh) too.
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"
need gzip zstd xz sha256sum

# a kernel-like Image: the start of Debian's kernel, else random bytes
if [ -f "$IMAGES/vmlinuz-amd64" ]; then
	head -c 3000000 "$IMAGES/vmlinuz-amd64" >Image
else
	head -c 3000000 /dev/urandom >Image
fi
want=$(file_sha Image)

gzip -9 -n -c Image >p.gzip
zstd -q -19 -c Image >stream.zstd
xz -q --check=crc32 -c Image >stream.xz
# non-gzip payloads carry the decompressed size after the stream
{ cat stream.zstd; le32 "$(file_size Image)"; } >p.zstd22
{ cat stream.xz; le32 "$(file_size Image)"; } >p.xzkern
mkzboot z-gzip.img gzip p.gzip
mkzboot z-zstd.img zstd22 p.zstd22
mkzboot z-xz.img xzkern p.xzkern

runs=0
for prog in zboot_parser.bpf.o zboot_parser.lskel.o zboot_parser-shuffled.bpf.o \
	zboot_parser-shuffled.lskel.o; do
	for comp in gzip zstd xz; do
		case $comp in
		gzip) stream=p.gzip ;;
		zstd) stream=stream.zstd ;;
		xz) stream=stream.xz ;;
		esac
		"$PEKEXEC" bpf run "$PROGS/$prog" "z-$comp.img" >out.txt 2>err.txt ||
			{ cat out.txt err.txt; fail "$prog on $comp: exit $?"; }
		[ "$(commands out.txt)" = 1 ] || { cat out.txt; fail "$prog/$comp: not one command"; }
		grep -q '^command 1: DECOMPRESS/KERNEL ' out.txt || fail "$prog/$comp: not DECOMPRESS/KERNEL"
		[ "$(field out.txt 1 payload_len)" = "$(file_size $stream)" ] ||
			fail "$prog/$comp: payload_len $(field out.txt 1 payload_len), stream $(file_size $stream)"
		[ "$(field out.txt 1 payload_sha256)" = "$(file_sha $stream)" ] ||
			fail "$prog/$comp: payload is not the compressed stream"
		[ "$(field out.txt 1 format)" = "$comp" ] || fail "$prog/$comp: format $(field out.txt 1 format)"
		[ "$(field out.txt 1 output_sha256)" = "$want" ] ||
			{ cat out.txt; fail "$prog/$comp: decompressed bytes differ from the CLI's input"; }
		runs=$((runs + 1))
	done
done
echo "$runs runs: payloads and decompressed Images match the CLI tools"

# the program in a PE image's own .bpf section
if [ -f "$IMAGES/linuxx64.efi.stub" ] && command -v objcopy >/dev/null &&
	[ -f "$TOP/tests/lib/mkuki-objcopy.sh" ]; then
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" stub.efi \
		.bpf="$PROGS/zboot_parser.lskel.o"
	"$PEKEXEC" bpf run stub.efi z-zstd.img >out.txt
	[ "$(field out.txt 1 output_sha256)" = "$want" ] || fail "PE .bpf: output differs"
	grep -q 'light skeleton' out.txt || fail "PE .bpf: not loaded as a light skeleton"
	echo "PE .bpf section: ok"
	# a PE without .bpf: malformed (exit 3), the message says so
	rc=0
	"$PEKEXEC" bpf run "$IMAGES/linuxx64.efi.stub" z-zstd.img 2>err.txt || rc=$?
	[ $rc = 3 ] && grep -q 'without a .bpf section' err.txt || fail "PE without .bpf: exit $rc"
fi

# a corrupt payload: the DECOMPRESS command fails, the run reports it (7)
cp z-gzip.img bad.img
printf 'XXXXXXXXXXXXXXXX' | dd of=bad.img bs=1 seek=2000 conv=notrunc status=none
rc=0
"$PEKEXEC" bpf run "$PROGS/zboot_parser.bpf.o" bad.img >out.txt 2>err.txt || rc=$?
cat out.txt err.txt
[ $rc = 7 ] || fail "corrupt payload: exit $rc, want 7"
grep -q 'error=' out.txt || fail "corrupt payload: no decompression error shown"
grep -q 'stage 1: a command failed' err.txt || fail "corrupt payload: no stage message"

# --no-decompress: the command is listed, nothing decompressed
"$PEKEXEC" bpf run --no-decompress "$PROGS/zboot_parser.bpf.o" z-gzip.img >out.txt
grep -q 'output_len' out.txt && fail "--no-decompress decompressed"
[ "$(field out.txt 1 payload_sha256)" = "$(file_sha p.gzip)" ] || fail "--no-decompress payload"

# not a zboot image: the program issues nothing and returns 0
"$PEKEXEC" bpf run "$PROGS/zboot_parser.lskel.o" Image >out.txt
[ "$(commands out.txt)" = 0 ] || fail "plain Image: commands issued"
echo ok
