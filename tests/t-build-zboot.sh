#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-build-zboot.sh - pekexec build-zboot for the six compressions against
# independent oracles: the payload is byte-identical to what the kernel
# build's own command writes (scripts/Makefile.lib cmd_* and size_append,
# run here), the CLI decompressor gives the input back, the zboot header
# fields (read with od) point at it, llvm-readobj/objdump agree on the PE
# layout, .bpf holds the parser file, add-bpf on the result keeps the
# payload, signed images pass sbverify --cert.
set -euo pipefail
. "$TOP/tests/lib/build.sh"
need llvm-readobj gzip lz4 xz lzma lzop zstd sbverify openssl
KERNEL=$IMAGES/vmlinuz-amd64
[ -f "$KERNEL" ] || skip "no \$IMAGES/vmlinuz-amd64"

# An arm64 "Image": machine code and data (compressible like a kernel)
# whose header says image_size 0 (no padding).
{ cat "$IMAGES/linuxx64.efi.stub" /usr/bin/ls /usr/bin/bash | head -c 1200000 >Image; } || true
printf 'ARM\x64' | dd of=Image bs=1 seek=56 conv=notrunc 2>/dev/null
printf '\0\0\0\0' | dd of=Image bs=1 seek=16 conv=notrunc 2>/dev/null
head -c 1777 /dev/urandom >parser.o
head -c 999 /dev/urandom >parser2.o
size_le() { # the kernel's size_append: le32 of the input size
	local s
	s=$(printf '%08x' "$1")
	printf "\\x${s:6:2}\\x${s:4:2}\\x${s:2:2}\\x${s:0:2}"
}
kernel_cmd() { # name machine < in > out: scripts/Makefile.lib, xz_wrap.sh of 6.1
	case $1 in
	gzip) gzip -n -f -9 ;;
	lz4) lz4 -l -9 - - ;;
	lzma) lzma -9 ;;
	lzo) lzop -9 ;;
	xzkern) if [ "$2" = x86_64 ]; then xz --check=crc32 --x86 --lzma2=,dict=32MiB
		else xz --check=crc32 --lzma2=,dict=32MiB; fi ;;
	zstd22) zstd -22 --ultra -q ;;
	esac
}
decompress() { # name < payload > out
	case $1 in
	gzip) gzip -dc ;;
	lz4) lz4 -dc ;;
	lzma) lzma -dc ;;
	lzo) lzop -dc ;;
	xzkern) xz -dc ;;
	zstd22) zstd -dcq ;;
	esac
}

check_zboot() { # file comp input machine
	local f=$1 comp=$2 in=$3 machine=$4 off size name trailer
	[ "$(head -c 2 "$f")" = MZ ] || fail "$f: no MZ"
	[ "$(slice "$f" 4 4)" = zimg ] || fail "$f: no zimg at 4"
	off=$(le32_at "$f" 8)
	size=$(le32_at "$f" 12)
	name=$(slice "$f" 24 32 | tr -d '\0')
	[ "$name" = "$comp" ] || fail "$f: compression name '$name'"
	[ "$(le32_at "$f" 56)" = $((0x818223cd)) ] || fail "$f: no LINUX_PE_MAGIC at 0x38"
	trailer=4
	[ "$comp" = gzip ] && trailer=0
	# through a pipe, as the kernel's "cat $(real-prereqs) | ..." does
	cat "$in" | kernel_cmd "$comp" "$machine" >ref
	[ "$comp" = gzip ] || size_le "$(stat -c %s "$in")" >>ref
	slice "$f" "$off" $((size + trailer)) >got
	if [ "$comp" = lzo ]; then
		# lzop's header records the pipe's mtime (bytes 25..32) and a
		# checksum over it (33: name length 0, 34..37): not comparable
		for x in ref got; do
			dd if=/dev/zero of=$x bs=1 seek=25 count=13 conv=notrunc 2>/dev/null
		done
	fi
	cmp -s got ref || fail "$f: payload differs from the kernel's cmd_$comp output"
	slice "$f" "$off" "$size" | decompress "$comp" >out.bin
	cmp -s out.bin "$in" || fail "$f: decompressing the payload does not give the input"
	if [ "$comp" != gzip ]; then
		[ "$(le32_at "$f" $((off + size)))" = "$(stat -c %s "$in")" ] ||
			fail "$f: size after the payload"
	fi
	# the payload lies inside .text, as zboot.lds places it
	read -r _ tname _ tva trs trp _ < <(sections "$f" | head -n 1)
	[ "$tname" = .text ] && [ "$off" -ge "$trp" ] && [ $((off + size)) -le $((trp + trs)) ] ||
		fail "$f: payload [$off, +$size) not inside .text"
	echo "$f: $comp payload at $off, $size bytes"
}

make_signer
for comp in gzip lz4 lzma lzo xzkern zstd22; do
	f=z-$comp.efi
	"$PEKEXEC" build-zboot --image Image --compress "$comp" --machine arm64 \
		--parser parser.o -o "$f"
	check_zboot "$f" "$comp" Image arm64
	llvm-readobj --file-headers "$f" | grep -q 'IMAGE_FILE_MACHINE_ARM64' || fail "$f: machine"
	[ "$(section_names "$f")" = ".text .data .bpf " ] || fail "$f: $(section_names "$f")"
	check_layout "$f" 2
	check_objdump_agrees "$f"
	[ "$(section_sha "$f" 2)" = "$(file_sha parser.o)" ] || fail "$f: .bpf bytes"

	# add-bpf on it: .bpf replaced, payload and its offset field consistent
	"$PEKEXEC" add-bpf --parser parser2.o "$f" "r-$comp.efi"
	check_zboot "r-$comp.efi" "$comp" Image arm64
	[ "$(section_names "r-$comp.efi")" = ".text .data .bpf " ] || fail "r-$comp.efi sections"
	[ "$(section_sha "r-$comp.efi" 2)" = "$(file_sha parser2.o)" ] || fail "r-$comp.efi: .bpf bytes"
	check_layout "r-$comp.efi" 2
done

# xzkern uses the x86 BCJ filter for x86_64 only (xz_wrap.sh), as xz lists
"$PEKEXEC" build-zboot --image Image --compress xzkern --machine x86_64 \
	--parser parser.o -o x86.efi
check_zboot x86.efi xzkern Image x86_64
check_objdump_agrees x86.efi
off=$(le32_at x86.efi 8) size=$(le32_at x86.efi 12)
slice x86.efi "$off" "$size" >x86.xz
xz --robot --list -vv x86.xz | grep -q 'x86' || fail "x86.efi: no x86 BCJ filter"
slice z-xzkern.efi "$(le32_at z-xzkern.efi 8)" "$(le32_at z-xzkern.efi 12)" >arm.xz
! xz --robot --list -vv arm.xz | grep -q 'x86' || fail "arm64 xzkern has an x86 filter"

# Makefile.zboot pads the Image to image_size (le32 at 0x10) before compressing
cp Image Image.big
printf '\x00\x00\x20\x00' | dd of=Image.big bs=1 seek=16 conv=notrunc 2>/dev/null # 2 MiB
cp Image.big Image.padded
truncate -s $((0x200000)) Image.padded
"$PEKEXEC" build-zboot --image Image.big --compress zstd22 --parser parser.o -o pad.efi
check_zboot pad.efi zstd22 Image.padded arm64

# signed
"$PEKEXEC" build-zboot --image Image --compress gzip --parser parser.o \
	--key key.pem --cert cert.pem -o signed.efi
sbverify --cert cert.pem signed.efi
check_zboot signed.efi gzip Image arm64

# errors
expect_fail() { # code output args...
	local code=$1 out=$2 rc=0
	shift 2
	"$PEKEXEC" "$@" 2>err.txt || rc=$?
	[ "$rc" -eq "$code" ] || { cat err.txt; fail "'$*' exited $rc, expected $code"; }
	[ ! -e "$out" ] || fail "'$*' left $out behind"
	cat err.txt
}
expect_fail 2 e.efi build-zboot --image Image --compress bzip2 --parser parser.o -o e.efi
grep -q "unknown compression" err.txt || fail "unknown compression: message"
expect_fail 2 e.efi build-zboot --image Image --compress gzip --machine mips --parser parser.o -o e.efi
expect_fail 2 e.efi build-zboot --compress gzip --parser parser.o -o e.efi
expect_fail 1 e.efi build-zboot --image missing --compress gzip --parser parser.o -o e.efi
expect_fail 1 e.efi build-zboot --image Image --compress gzip --parser no-such-file.o -o e.efi

# the built-in zboot parser (mk/parsers.mk writes it to $BUILD/bpf/zboot.bpf),
# by default in build-zboot, and chosen by add-bpf for a zboot image
"$PEKEXEC" build-zboot --image Image --compress gzip -o builtin.efi
"$PEKEXEC" add-bpf z-lz4.efi builtin2.efi
if [ -f "$BUILD/bpf/zboot.bpf" ]; then
	for f in builtin.efi builtin2.efi; do
		[ "$(section_sha $f 2)" = "$(file_sha "$BUILD/bpf/zboot.bpf")" ] ||
			fail "$f: .bpf is not \$BUILD/bpf/zboot.bpf"
	done
else
	echo "note: no \$BUILD/bpf/zboot.bpf to compare the built-in parser with"
fi
check_zboot builtin2.efi lz4 Image arm64
echo ok
