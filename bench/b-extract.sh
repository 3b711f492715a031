#!/bin/bash
# SPDX-License-Identifier: MIT
# b-extract.sh - `pekexec extract` (verify off: parse, load + verify the
# parser program, run it, decompress, policy, write 4 files) against the
# limit measured in the same run on the same bytes:
#   UKI:   sha256sum of the image file (every byte read once)
#   zboot: sha256sum of the file + the library alone decompressing the
#          payload ($BUILD/bench-decompress, the decompress module's driver)
# reported as a ratio, and peak RSS against input + output size.
# Data: a 64 MiB UKI (Debian's kernel, 56 MiB initrd); zboot images, one
# per compression, of a real arm64 Image (tinyconfig, linux-source-6.1) and
# of 32 MiB of the vmlinux inside Debian's vmlinuz.
set -eu
. "$TOP/bench/lib.sh"
cd "$BENCH_WORK"
mkdir -p extract && cd extract
drv="$BUILD/bench-decompress"
[ -x "$drv" ] || { echo "no $drv (make bench builds it)" >&2; exit 1; }
[ -f "$BUILD/bpf/uki.bpf" ] || { echo "parser programs not built" >&2; exit 1; }

best_sha() { bench_time 3 sha256sum "$1"; }

# --- a 64 MiB UKI --------------------------------------------------------------
head -c $((56 << 20)) /dev/urandom >initrd.img
"$PEKEXEC" build-uki --linux "$IMAGES/vmlinuz-amd64" --initrd initrd.img \
	--cmdline "console=ttyS0" --parser "$BUILD/bpf/uki.bpf" -o uki.efi >/dev/null 2>&1
size=$(stat -c %s uki.efi)
t=$(bench_time 3 "$PEKEXEC" extract --verify off -o out uki.efi)
l=$(best_sha uki.efi)
read -r rss rssmed < <(bench_rss_minmed 5 "$PEKEXEC" extract --verify off -o out uki.efi)
io=$(( (size + $(stat -c %s out/kernel) + $(stat -c %s out/initrd)) / 1024 ))
row "extract UKI $((size >> 20)) MiB: time" "$t" "s" "limit (sha256 of the file) ${l}s"
row "extract UKI: time / limit" "$(bench_ratio "$t" "$l")" "x" "includes writing + fsync of the outputs"
row "extract UKI: peak RSS" "$rss" "KiB" "min of 5, median $rssmed KiB; input + outputs ${io} KiB"
row "extract UKI: peak RSS / (input + outputs)" "$(bench_ratio "$rss" "$io")" "x" \
	"of the min; of the median $(bench_ratio "$rssmed" "$io")x; goal <= 1.1"

# --- zboot, each compression -------------------------------------------------
le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# zboot_rows IMAGE LABEL: one zboot per compression around IMAGE
zboot_rows() {
	local img=$1 what=$2 comp o n t d s l rss io
	for comp in gzip lz4 lzma lzo xzkern zstd22; do
		"$PEKEXEC" build-zboot --image "$img" --compress "$comp" --machine arm64 \
			--parser "$BUILD/bpf/zboot.bpf" -o "z.$comp" >/dev/null 2>&1
		o=$(le32 "z.$comp" 8) n=$(le32 "z.$comp" 12)
		dd if="z.$comp" of="p.$comp" bs=1M iflag=skip_bytes,count_bytes skip="$o" count="$n" 2>/dev/null
		read -r t tmed < <(bench_time_minmed 5 "$PEKEXEC" extract --verify off -o "o.$comp" "z.$comp")
		d=$("$drv" "p.$comp" 3 | cut -d' ' -f1)
		s=$(best_sha "z.$comp")
		l=$(echo "$d + $s" | bc -l)
		read -r rss rssmed < <(bench_rss_minmed 5 "$PEKEXEC" extract --verify off -o "o.$comp" "z.$comp")
		io=$(( ($(stat -c %s "z.$comp") + $(stat -c %s "o.$comp/kernel")) / 1024 ))
		row "extract zboot $comp ($what): time" "$t" "s" \
			"min of 5, median ${tmed}s; limit $(printf '%.4f' "$l")s = decompress ${d}s + sha256 ${s}s (best of 3 each)"
		row "extract zboot $comp ($what): time / limit" "$(bench_ratio "$t" "$l")" "x" \
			"of the min; of the median $(bench_ratio "$tmed" "$l")x; goal <= 1.2"
		row "extract zboot $comp ($what): peak RSS / (input + output)" \
			"$(bench_ratio "$rss" "$io")" "x" \
			"min of 5 $rss KiB, median $rssmed KiB ($(bench_ratio "$rssmed" "$io")x) vs $io KiB; goal <= 1.1"
		rm -rf "o.$comp"
	done
}

# A real arm64 Image: the tinyconfig kernel tests/t-zboot-arm64.sh builds
# (cached under $BUILD/arm64-zboot; built here if the cross compiler and
# linux-source-6.1 are installed).  Small, so fixed costs (program load and
# verification, fsync of four files) weigh; hence also 32 MiB of the
# vmlinux inside Debian's x86 vmlinuz, the size of a distribution kernel.
if command -v aarch64-linux-gnu-gcc >/dev/null &&
	[ -r "${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}" ] &&
	dir=$("$TOP/tests/lib/build-arm64-zboot.sh" -b "$BUILD" boot 2>/dev/null | cut -d' ' -f2) &&
	[ -f "$dir/arch/arm64/boot/Image" ]; then
	cp "$dir/arch/arm64/boot/Image" arm64-Image
	zboot_rows arm64-Image "arm64 Image $(($(stat -c %s arm64-Image) >> 10)) KiB"
else
	echo "b-extract: SKIP arm64 rows: no cross compiler or linux-source-6.1 (scripts/deps.sh ensure kernel)" >&2
fi
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$IMAGES/vmlinuz-amd64" | head -n 1 | cut -d: -f1)
tail -c +"$((off + 1))" "$IMAGES/vmlinuz-amd64" | xz -dc 2>/dev/null | head -c 33554432 >Image || true
[ "$(stat -c %s Image)" -eq 33554432 ] || { echo "cannot unpack vmlinux" >&2; exit 1; }
zboot_rows Image "32 MiB x86 vmlinux"
