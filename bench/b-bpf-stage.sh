#!/bin/bash
# SPDX-License-Identifier: MIT
# b-bpf-stage.sh - one zboot parse stage without decompression: `pekexec bpf
# run --no-decompress --no-hash` = read the program, load it (ELF object, or
# light skeleton: run its loader program with emulated bpf() commands),
# verify, and run it on a zboot image whose payload is Debian's kernel
# gzipped (the program copies the whole payload into a ring-buffer record
# and hands it to bpf_buffer_parser).  `bpf verify` alone is the load +
# verify share; `cat image > /dev/null` the floor of reading the image.
set -eu
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/bpf-run.sh"
cd "$BENCH_WORK"
gzip -9 -n -c "$IMAGES/vmlinuz-amd64" >p.gzip
mkzboot zboot.img gzip p.gzip
mb=$(echo "$(stat -c %s zboot.img) / 1048576" | bc -l)
floor=$(bench_time 5 cat zboot.img)
for form in bpf.o lskel.o; do
	prog=$PROGS/zboot_parser.$form
	name=$([ $form = bpf.o ] && echo "ELF object" || echo "light skeleton")
	v=$(bench_time 10 "$PEKEXEC" bpf verify "$prog")
	t=$(bench_time 5 "$PEKEXEC" bpf run --no-decompress --no-hash "$prog" zboot.img)
	insns=$("$PEKEXEC" bpf run --no-decompress --no-hash "$prog" zboot.img |
		sed -n 's/^result: .* insns=\([0-9]*\).*/\1/p')
	row "bpf stage: zboot parse, $name" "$t" s \
		"$(printf '%.1f MB image, %s insns run; reading it: %s s' "$mb" "$insns" "$floor")"
	row "bpf stage: load + verify only, $name" "$v" s "pekexec bpf verify"
	row "bpf stage: zboot parse, $name, peak RSS" \
		"$(bench_rss "$PEKEXEC" bpf run --no-decompress --no-hash "$prog" zboot.img)" KiB \
		"32 MiB ring buffer, touched as far as the record"
done
