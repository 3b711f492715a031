#!/bin/bash
# SPDX-License-Identifier: MIT
# b-build.sh - the image tools on real inputs: add-bpf on Debian's 8 MB
# kernel (one section appended, signature dropped), build-uki on systemd's
# stub (header growth, kernel + initrd copied), build-zboot per compression
# (dominated by the kernel's compressor, which it runs), against `cp` of
# the same kernel as the floor of writing that many bytes.
set -eu
. "$TOP/bench/lib.sh"
cd "$BENCH_WORK"
k=$IMAGES/vmlinuz-amd64
head -c 8192 /dev/urandom >parser.o
head -c 4000000 /dev/urandom >initrd
mb=$(echo "$(stat -c %s "$k") / 1048576" | bc -l)
floor=$(bench_time 5 cp "$k" copy.efi)
t=$(bench_time 5 "$PEKEXEC" -q add-bpf --parser parser.o "$k" v.efi)
row "add-bpf: Debian vmlinuz" "$t" s "$(printf '%.1f MB; cp of it: %s s' "$mb" "$floor")"
row "add-bpf: Debian vmlinuz, peak RSS" \
	"$(bench_rss "$PEKEXEC" -q add-bpf --parser parser.o "$k" v.efi)" KiB "input read into memory, output in memory"
t=$(bench_time 5 "$PEKEXEC" build-uki --stub "$IMAGES/linuxx64.efi.stub" --linux "$k" \
	--initrd initrd --cmdline quiet --parser parser.o -o uki.efi)
row "build-uki: systemd stub + vmlinuz + 4 MB initrd" "$t" s "headers grow 0x400 -> 0x600"
for comp in gzip lz4 lzma lzo xzkern zstd22; do
	t=$(bench_time 1 "$PEKEXEC" build-zboot --image "$k" --compress "$comp" \
		--machine arm64 --parser parser.o -o z.efi)
	row "build-zboot: $comp, vmlinuz as Image" "$t" s \
		"$(printf "payload %d bytes (input already compressed); the compressor dominates" "$(od -An -tu4 -j12 -N4 z.efi)")"
done
