#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-zboot-arm64.sh - a real arm64 EFI zboot kernel (vmlinuz.efi, built by
# tests/lib/build-arm64-zboot.sh from Debian's linux-source-6.1 with
# CONFIG_EFI_ZBOOT=y, tinyconfig) + `pekexec add-bpf`: `pekexec extract`
# gives back the build's own Image (docs/zboot-arm64.md).
#
# Oracles, none of them pekexec code:
#   - od reads the zboot header; `inspect --json` must agree with it;
#   - the payload cut out with dd at the header's offset/size is
#     byte-identical to the build's intermediate arch/arm64/boot/vmlinuz
#     (the compressor's output, before objcopy wraps it), and gzip -dc /
#     zstd -dc turn it into arch/arm64/boot/Image;
#   - the extracted kernel is the Image (cmp, sha256sum): 6.1's zboot does
#     not pad the payload (no vmlinux.bin/copy_and_pad in its
#     Makefile.zboot), so the stream ends at the Image's file size, its
#     declared size (gzip ISIZE / appended le32) is that file size, and the
#     Image header's larger in-memory size (le64 at 0x10) is left to the
#     kernel's own EFI stub;
#   - signed with `pekexec sign`: sbverify accepts it, extract --verify
#     require --trust gives the same kernel, another signer is refused.
#
# The test builds the kernels it needs (tests/lib/build-arm64-zboot.sh; a
# cold build of both takes a few minutes, numbers in docs/zboot-arm64.md)
# and reuses them while their inputs are unchanged.  PEKEXEC_ARM64_BUILD=0:
# never build, test only kernels already under $BUILD/arm64-zboot.
# ZBOOT_COMPS picks the kernels (default "boot zstd": "boot" is the gzip
# kernel t-e2e-arm64 boots, tinyconfig plus what booting needs; reusing it
# saves a cold build of the plain "gzip" one, which can still be asked for).
set -euo pipefail
. "$TOP/tests/lib/build.sh"
need gzip zstd od dd sha256sum jq openssl
builder=$TOP/tests/lib/build-arm64-zboot.sh
comps=${ZBOOT_COMPS:-boot zstd}

[ -r "${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}" ] ||
	skip "no linux-source-6.1 tarball: scripts/deps.sh ensure kernel"
need aarch64-linux-gnu-gcc ccache make bc bison flex
have=()
for comp in $comps; do
	if [ "${PEKEXEC_ARM64_BUILD:-1}" != 0 ] ||
	   [ -f "$BUILD/arm64-zboot/out-$comp/.pekexec-stamp" ]; then
		have+=("$comp")
	fi
done
[ ${#have[@]} -gt 0 ] || skip "PEKEXEC_ARM64_BUILD=0 and no arm64 zboot kernel built; build and test them with: make check-arm64"

# build, or reuse when the inputs are unchanged (the builder decides)
declare -A OUT
while read -r comp dir; do
	OUT[$comp]=$dir
done < <("$builder" -b "$BUILD" "${have[@]}" 2>build.log)
[ ${#OUT[@]} -eq ${#have[@]} ] || { tail -n 30 build.log >&2; fail "kernel build failed"; }

sha() { sha256sum "$1" | cut -d' ' -f1; }
le64_at() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-arm64 -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=someone-else -days 2 \
	-keyout key2.pem -out cert2.pem 2>/dev/null

for comp in "${have[@]}"; do
	boot=${OUT[$comp]}/arch/arm64/boot
	img=$boot/Image
	efi=$comp.efi
	cp "$boot/vmlinuz.efi" "$efi"
	case $comp in
	gzip | boot) name=gzip trailer=0 dec="gzip -dc" ;;
	zstd) name=zstd22 trailer=4 dec="zstd -dcq" ;;
	esac
	img_len=$(stat -c %s "$img")

	# --- the header, by od, and as inspect --json reads it ---------------
	[ "$(slice "$efi" 4 4)" = zimg ] || fail "$comp: no zimg at 4"
	off=$(le32_at "$efi" 8)
	size=$(le32_at "$efi" 12)
	[ "$(slice "$efi" 24 32 | tr -d '\0')" = "$name" ] || fail "$comp: compression name"
	"$PEKEXEC" inspect --json "$efi" >inspect.json
	[ "$(jq -r .zboot.compression inspect.json)" = "$name" ] || fail "$comp: inspect compression"
	[ "$(jq -r .zboot.payload_offset inspect.json)" = "$off" ] || fail "$comp: inspect payload_offset"
	[ "$(jq -r .zboot.payload_size inspect.json)" = "$size" ] || fail "$comp: inspect payload_size"
	[ "$(jq -r .bpf inspect.json)" = null ] || fail "$comp: the kernel's own image has .bpf"

	# --- the payload the header names ------------------------------------
	slice "$efi" "$off" $((size + trailer)) >payload+size
	cmp payload+size "$boot/vmlinuz" ||
		fail "$comp: payload at $off (+$trailer) is not the build's arch/arm64/boot/vmlinuz"
	slice "$efi" "$off" "$size" >payload
	$dec <payload >cli.img || fail "$comp: $dec rejects the payload"
	cmp cli.img "$img" || fail "$comp: $dec of the payload is not the Image"
	# declared size: gzip ISIZE (last 4 bytes of the stream) or the le32
	# Makefile.zboot appends after it; the Image's file size, no padding
	declared=$(le32_at "$efi" $((off + size + trailer - 4)))
	[ "$declared" -eq "$img_len" ] || fail "$comp: declared size $declared, Image has $img_len"
	[ "$(jq -r .zboot.image_size inspect.json)" = "$declared" ] || fail "$comp: inspect image_size"
	memsz=$(le64_at "$img" 16)
	[ "$(slice "$img" 56 4)" = "$(printf 'ARM\x64')" ] || fail "$comp: Image has no ARM\\x64 magic"
	[ "$memsz" -gt "$img_len" ] ||
		fail "$comp: Image in-memory size $memsz not above its file size $img_len"

	# --- add-bpf (default parser: zboot), extract ------------------------
	"$PEKEXEC" add-bpf "$efi" "bpf-$efi"
	"$PEKEXEC" inspect --json "bpf-$efi" >i2.json
	[ "$(jq -r .bpf i2.json)" != null ] || fail "$comp: add-bpf left no .bpf"
	[ "$(jq -r .zboot.payload_sha256 i2.json)" = "$(sha payload)" ] ||
		fail "$comp: add-bpf changed the payload"
	"$PEKEXEC" extract --verify off -o "x-$comp" "bpf-$efi"
	cmp "x-$comp/kernel" "$img" || fail "$comp: extracted kernel is not the Image"
	[ "$(sha "x-$comp/kernel")" = "$(sha "$img")" ] || fail "$comp: sha256"
	[ ! -s "x-$comp/initrd" ] || fail "$comp: an initrd appeared"
	echo "$comp: payload $size bytes at $off; kernel = Image, $img_len bytes," \
		"sha256 $(sha "$img"); in-memory size $memsz (not padded by 6.1's zboot)"

	# --- signed ---------------------------------------------------------
	"$PEKEXEC" sign --key key.pem --cert cert.pem "bpf-$efi" "s-$efi"
	if command -v sbverify >/dev/null; then
		sbverify --cert cert.pem "s-$efi" >/dev/null 2>&1 || fail "$comp: sbverify rejects our signature"
	fi
	"$PEKEXEC" extract --verify require --trust cert.pem -o "s-$comp" "s-$efi"
	cmp "s-$comp/kernel" "$img" || fail "$comp: signed: extracted kernel is not the Image"
	grep -q '"signature": "verified"' "s-$comp/manifest.json" || fail "$comp: signed: not verified"
	rc=0
	"$PEKEXEC" extract --verify require --trust cert2.pem -o "o6-$comp" "s-$efi" 2>/dev/null || rc=$?
	[ "$rc" -eq 6 ] || fail "$comp: another signer's trust gave exit $rc, not 6"
	[ ! -e "o6-$comp" ] || fail "$comp: refused extract left output"
	rc=0
	"$PEKEXEC" extract --verify require --trust cert.pem -o "o4-$comp" "bpf-$efi" 2>/dev/null || rc=$?
	[ "$rc" -eq 4 ] || fail "$comp: unsigned under require gave exit $rc, not 4"
	echo "$comp: signed by pekexec sign: sbverify ok, extract --verify require: same kernel"
done
