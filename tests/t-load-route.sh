#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-load-route.sh - 'pekexec load' fails closed (issue 12): a file that
# carries the zboot magic, a .bpf section, or "MZ" but does not parse is
# refused, never handed to the kernel as a plain image.
#
# Oracle: 'pekexec extract' on the same file, which always runs the
# pipeline.  For every damaged image 'load --dry-run' (and kexec-tools' form,
# pekexec run as 'kexec') must exit with extract's code and print extract's
# one-line error, with and without --verify require.  A file that does not
# even parse must also be refused with --kernel-bpf (a CONFIG_KEXEC_BPF
# kernel is not handed a malformed image either).  A plain Debian bzImage
# and an ELF file still pass through: the kernel sha256 of the dry run is
# the file's (sha256sum).
#
# Images: signed and unsigned EFI zboot images (build-zboot, gzip and
# zstd22) damaged with dd: truncated, unknown and unterminated compression
# names, payload offset/size lies, zboot without .bpf; a UKI whose .bpf
# is 64 MiB of garbage, and one whose .bpf section header claims 64 MiB;
# Debian's bzImage with a bad e_lfanew or PE signature.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in openssl od dd sha256sum gzip zstd; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
KERNEL=$IMAGES/vmlinuz-amd64
[ -f "$KERNEL" ] || skip "no \$IMAGES/vmlinuz-amd64 (make images)"
pk=$PEKEXEC
fast=${PEKEXEC_FAST:-$PEKEXEC}

sha() { sha256sum "$1" | cut -d' ' -f1; }
le16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
put32() { # FILE OFFSET VALUE
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) \
		$(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
putstr() { printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
# sect_hdr FILE NAME: file offset of the section header NAME (PE/COFF spec:
# e_lfanew at 0x3c, the section table after the optional header)
sect_hdr() {
	local f=$1 pe n opt tab i
	pe=$(le32 "$f" 60)
	n=$(le16 "$f" $((pe + 6)))
	opt=$(le16 "$f" $((pe + 20)))
	tab=$((pe + 24 + opt))
	for ((i = 0; i < n; i++)); do
		if [ "$(dd if="$f" bs=1 skip=$((tab + 40 * i)) count=8 status=none | tr -d '\0')" = "$2" ]; then
			echo $((tab + 40 * i))
			return 0
		fi
	done
	return 1
}

openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=load route/" -days 2 \
	-keyout k.key -out k.crt 2>/dev/null
ln -s "$pk" kexec
head -c 1048576 "$KERNEL" >Image
"$fast" build-zboot --image Image --compress gzip --machine arm64 --key k.key --cert k.crt -o zg.efi
"$fast" build-zboot --image Image --compress zstd22 --machine arm64 -o zz.efi
"$fast" build-zboot --image Image --compress gzip --machine arm64 -o zu.efi

bad=()
mk() { bad+=("$1"); } # register a damaged image

# truncated zboot images (signed and not): header only, mid payload, one byte short
for z in zg zz; do
	len=$(stat -c %s $z.efi)
	for n in 8 64 4096 $((len / 2)) $((len - 1)); do
		head -c $n $z.efi >$z-trunc-$n.efi
		mk $z-trunc-$n.efi
	done
done
# compression names: unknown, unterminated (0x18..0x37 without a NUL)
for z in zg zz; do
	cp $z.efi $z-name-unknown.efi
	putstr $z-name-unknown.efi 24 "bogus"
	mk $z-name-unknown.efi
	cp $z.efi $z-name-unterminated.efi
	putstr $z-name-unterminated.efi 24 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	mk $z-name-unterminated.efi
done
# payload offset and size lies (le32 at 0x08 and 0x0c)
for z in zg zz zu; do
	len=$(stat -c %s $z.efi) size=$(le32 $z.efi 12)
	cp $z.efi $z-off-huge.efi; put32 $z-off-huge.efi 8 4294963200; mk $z-off-huge.efi
	cp $z.efi $z-off-small.efi; put32 $z-off-small.efi 8 16; mk $z-off-small.efi
	cp $z.efi $z-size-file.efi; put32 $z-size-file.efi 12 "$len"; mk $z-size-file.efi
	cp $z.efi $z-size-huge.efi; put32 $z-size-huge.efi 12 4294967295; mk $z-size-huge.efi
	cp $z.efi $z-size-short.efi; put32 $z-size-short.efi 12 $((size - 100)); mk $z-size-short.efi
done
# a zboot image whose .bpf section was renamed: zboot magic, no program
cp zu.efi zu-nobpf.efi
putstr zu-nobpf.efi "$(sect_hdr zu.efi .bpf)" ".bpx"
mk zu-nobpf.efi
# "zimg" without "MZ": claims to be zboot
{ printf 'XXXXzimg'; head -c 4088 /dev/zero; } >zimg-nomz.efi
mk zimg-nomz.efi

# UKIs: a real 64 MiB .bpf of garbage (signed), and a .bpf header claiming 64 MiB
head -c 67108864 /dev/zero | tr '\0' 'G' >big.bpf
"$fast" build-uki --linux "$KERNEL" --cmdline "route=1" --parser big.bpf \
	--key k.key --cert k.crt -o uki-bigbpf.efi
mk uki-bigbpf.efi
"$fast" build-uki --linux "$KERNEL" --cmdline "route=1" -o uki.efi
h=$(sect_hdr uki.efi .bpf)
cp uki.efi uki-bpf-rawsize.efi; put32 uki-bpf-rawsize.efi $((h + 16)) 67108864
put32 uki-bpf-rawsize.efi $((h + 8)) 67108864
mk uki-bpf-rawsize.efi
cp uki.efi uki-bpf-ptr.efi; put32 uki-bpf-ptr.efi $((h + 20)) 4294966784; mk uki-bpf-ptr.efi

# PE images that do not parse: Debian's bzImage with e_lfanew beyond the
# file, with a broken "PE\0\0" signature, with 0xffff sections
cp "$KERNEL" bz-lfanew.efi; put32 bz-lfanew.efi 60 2147483632; mk bz-lfanew.efi
cp "$KERNEL" bz-pesig.efi; putstr bz-pesig.efi "$(le32 "$KERNEL" 60)" "PX"; mk bz-pesig.efi
cp "$KERNEL" bz-nsect.efi
printf '\377\377' | dd of=bz-nsect.efi bs=1 seek=$(($(le32 "$KERNEL" 60) + 6)) conv=notrunc status=none
mk bz-nsect.efi
head -c 2 "$KERNEL" >mz-only.efi; mk mz-only.efi

# Every damaged image: load refuses it as extract does.
checked=0
for f in "${bad[@]}"; do
	for mode in "" "--verify require"; do
		# shellcheck disable=SC2086 # $mode is empty or two words
		set -- $mode --trust k.crt
		rc_x=0; "$pk" extract "$@" -o "out-$f" "$f" >/dev/null 2>x.err || rc_x=$?
		[ $rc_x -ne 0 ] || fail "$f: extract accepted a damaged image (the oracle is broken)"
		[ $rc_x -ne 1 ] && [ $rc_x -ne 2 ] || { cat x.err; fail "$f: extract exit $rc_x"; }
		[ "$(wc -l <x.err)" -eq 1 ] || { cat x.err; fail "$f: extract: not one line"; }
		rc_l=0; "$pk" load --dry-run "$@" "$f" >l.out 2>l.err || rc_l=$?
		[ $rc_l -eq $rc_x ] ||
			{ cat l.out l.err; fail "$f ${mode:-auto}: load exit $rc_l, extract exit $rc_x ($(cat x.err))"; }
		[ "$(sed 's/^pekexec: load:/pekexec: extract:/' l.err)" = "$(cat x.err)" ] ||
			{ cat l.err x.err; fail "$f ${mode:-auto}: load's error differs from extract's"; }
		[ ! -s l.out ] || { cat l.out; fail "$f: load printed a plan"; }
		rc_k=0; ./kexec -l --dry-run "$@" "$f" >/dev/null 2>k.err || rc_k=$?
		[ $rc_k -eq $rc_x ] || { cat k.err; fail "$f ${mode:-auto}: kexec -l exit $rc_k, extract $rc_x"; }
		if grep -q "not a valid PE image" x.err; then
			rc_k=0; "$pk" load --dry-run --kernel-bpf "$@" "$f" >/dev/null 2>k.err || rc_k=$?
			[ $rc_k -eq $rc_x ] ||
				{ cat k.err; fail "$f: --kernel-bpf: exit $rc_k, want $rc_x (a malformed image is not handed to the kernel)"; }
		fi
		checked=$((checked + 1))
		echo "refused $f ${mode:-(auto)}: exit $rc_x: $(cut -c1-120 x.err)"
	done
done

# The good ones still load: the zboot images through the pipeline (kernel =
# the Image), the bzImage and an ELF file as they are.
for z in zg zz zu; do
	"$pk" load --dry-run --verify off "$z.efi" >out
	grep -q "^source   pipeline" out || { cat out; fail "$z.efi: not the pipeline"; }
	[ "$(awk '$1 == "kernel" { print $5 }' out)" = "$(sha Image)" ] || fail "$z.efi: kernel"
done
"$pk" load --dry-run --verify require --trust k.crt zg.efi >/dev/null || fail "signed zboot under require"
for f in "$KERNEL" /bin/true; do
	for mode in "" "--verify require"; do
		# shellcheck disable=SC2086
		"$pk" load --dry-run $mode "$f" >out || fail "$f ${mode:-auto}: refused"
		grep -q "^source   pass-through" out || { cat out; fail "$f: not passed through"; }
		[ "$(awk '$1 == "kernel" { print $5 }' out)" = "$(sha "$f")" ] || fail "$f: kernel sha256"
	done
done
echo "load-route: $checked refusals agree with extract; zboot, bzImage and ELF still load"
