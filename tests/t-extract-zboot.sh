#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-extract-zboot.sh - EFI zboot images of each of the six compressions
# (pekexec build-zboot runs the kernel build's own compressor commands),
# unpacked by the zboot parser program:
#   - the extracted kernel equals the input Image (cmp);
#   - the program handed DECOMPRESS exactly the payload the header names:
#     the payload cut out with dd from the header's offset/size decompresses
#     with the CLI tool (gzip, zstd, xz, lz4, lzop) to the input, and the
#     manifest's DECOMPRESS chunks have the sha256 of that payload's 4 MiB
#     pieces and add up to its size;
#   - an arm64 Image whose header declares a larger in-memory size comes
#     out zero-padded to it (oracle: truncate -s);
#   - a wrong declared size (the le32 after the stream) fails the program;
#   - a UKI whose .linux is a zboot image takes two stages, same result.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in gzip zstd xz lz4 lzop od dd sha256sum; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
KERNEL=$IMAGES/vmlinuz-amd64
STUB=$IMAGES/linuxx64.efi.stub
ZB=$BUILD/bpf/zboot.bpf
UKI=$BUILD/bpf/uki.bpf
[ -f "$KERNEL" ] || skip "no \$IMAGES/vmlinuz-amd64"
[ -f "$ZB" ] && [ -f "$UKI" ] || skip "parser programs not built (make parsers)"

sha() { sha256sum "$1" | cut -d' ' -f1; }
le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# CLI decompressor of each zboot method (for the payload oracle).
declare -A DEC=([gzip]="gzip -dc" [zstd22]="zstd -dcq" [xzkern]="xz -dc --format=xz"
	[lzma]="xz -dc --format=lzma" [lz4]="lz4 -dcq" [lzo]="lzop -dc")

# The input "Image": 4.5 MiB of Debian's kernel (any bytes will do; they
# are already compressed, so every payload exceeds one 4 MiB record and the
# stream is sent in pieces, and the slow compressors stay quick).
head -c 4718592 "$KERNEL" >Image
for comp in gzip lz4 lzma lzo xzkern zstd22; do
	"$PEKEXEC" build-zboot --image Image --compress "$comp" --machine arm64 \
		--parser "$ZB" -o "z-$comp.efi"
	"$PEKEXEC" extract -o "o-$comp" "z-$comp.efi"
	cmp "o-$comp/kernel" Image || fail "$comp: extracted kernel differs from the Image"

	# the payload, as the header names it
	off=$(le32 "z-$comp.efi" 8) size=$(le32 "z-$comp.efi" 12)
	dd if="z-$comp.efi" of="payload-$comp" bs=1M iflag=skip_bytes,count_bytes \
		skip="$off" count="$size" 2>/dev/null
	[ "$(stat -c %s "payload-$comp")" -eq "$size" ] || fail "$comp: short payload"
	${DEC[$comp]} <"payload-$comp" >"cli-$comp" 2>/dev/null || true
	cmp "cli-$comp" Image || fail "$comp: the CLI tool does not decompress the payload to the Image"

	# the DECOMPRESS records: exactly that payload, in 4 MiB pieces, then
	# one empty record closing the stream
	split -b 4194304 -d "payload-$comp" "piece-$comp-"
	want=$(for p in "piece-$comp-"*; do sha "$p"; done)
	got=$(awk '/"cmd": "DECOMPRESS"/ {d = 1} d && /"size"/ {s = $2} d && /"sha256"/ {
		gsub(/[",]/, "", $2); if (s != "0,") print $2; d = 0 }' "o-$comp/manifest.json")
	[ "$want" = "$got" ] || fail "$comp: DECOMPRESS payloads are not the header's payload:
want $want
got  $got"
	total=$(awk '/"cmd": "DECOMPRESS"/ {d = 1} d && /"size"/ {gsub(/,/, "", $2); t += $2; d = 0}
		END {print t}' "o-$comp/manifest.json")
	[ "$total" -eq "$size" ] || fail "$comp: DECOMPRESS carried $total bytes, the payload is $size"
	echo "$comp: payload $size bytes at $off, $(ls "piece-$comp-"* | wc -l) record(s) + close: kernel identical"
done

# --- an arm64 Image header declaring a larger in-memory size ----------------
# arm64 Image header: image_size (le64) at 0x10, "ARM\x64" at 0x38.
head -c 1000000 /dev/urandom >arm.img
printf '\x00\x00\x40\x00\x00\x00\x00\x00' | dd of=arm.img bs=1 seek=16 conv=notrunc 2>/dev/null
printf 'ARM\x64' | dd of=arm.img bs=1 seek=56 conv=notrunc 2>/dev/null
cp arm.img arm-padded.img
truncate -s $((0x400000)) arm-padded.img
"$PEKEXEC" build-zboot --image arm.img --compress zstd22 --parser "$ZB" -o arm.efi
"$PEKEXEC" extract -o oarm arm.efi
cmp oarm/kernel arm-padded.img || fail "arm64 Image: not zero-padded to its declared size"
echo "arm64 Image: padded to $(stat -c %s oarm/kernel) bytes as declared"

# --- the declared size must match --------------------------------------------
# zstd: the le32 after the payload; gzip: ISIZE, the payload's last 4 bytes
for comp in zstd22 gzip; do
	off=$(le32 "z-$comp.efi" 8) size=$(le32 "z-$comp.efi" 12)
	at=$((off + size))
	[ "$comp" = gzip ] && at=$((off + size - 4))
	declared=$(le32 "z-$comp.efi" "$at")
	[ "$declared" -eq "$(stat -c %s Image)" ] || fail "$comp: declared $declared"
	cp "z-$comp.efi" "bad-$comp.efi"
	printf '\x01' | dd of="bad-$comp.efi" bs=1 seek="$at" conv=notrunc 2>/dev/null
	rc=0
	"$PEKEXEC" extract -o "obad-$comp" "bad-$comp.efi" 2>err.txt || rc=$?
	cat err.txt
	[ "$rc" -eq 7 ] || fail "$comp: a wrong declared size gave exit $rc, not 7"
	# zstd: the program's own check, sent as parser_abort() (it must
	# return 0); gzip: the decompressor's ISIZE check comes first
	if [ "$comp" = zstd22 ]; then
		grep -q 'the program gave up: Bad message (command 0/74)' err.txt ||
			fail "$comp: not refused by the program's size check"
	fi
	[ ! -e "obad-$comp" ] || fail "$comp: failed extract left output"
done
echo "wrong declared size: refused (zstd: by the program, gzip: by ISIZE)"

# --- nested: a UKI whose .linux is a zboot image ------------------------------
if [ -f "$STUB" ]; then
	head -c 100003 /dev/urandom >initrd.img
	"$PEKEXEC" build-uki --linux z-gzip.efi --initrd initrd.img --cmdline "root=/dev/vda" \
		--stub "$STUB" --parser "$UKI" -o nested.efi
	"$PEKEXEC" extract -o onest nested.efi
	cmp onest/kernel Image || fail "nested: kernel"
	cmp onest/initrd initrd.img || fail "nested: initrd"
	[ "$(cat onest/cmdline)" = "root=/dev/vda" ] || fail "nested: cmdline"
	n=$(grep -c '"kind": "stage"' onest/manifest.json)
	[ "$n" -eq 2 ] || fail "nested: $n stages, expected 2"
	grep -q "\"sha256\": \"$(sha z-gzip.efi)\"" onest/manifest.json ||
		fail "nested: stage 2's image is not the zboot image"
	echo "nested UKI(zboot): 2 stages, same kernel"
fi
