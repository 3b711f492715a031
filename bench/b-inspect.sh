#!/bin/bash
# SPDX-License-Identifier: MIT
# b-inspect.sh - `pekexec inspect` on real images, with `objdump -h -p` on the
# same bytes as the reference (both parse headers; inspect also hashes every
# section and checks the signature digest).
set -eu
. "$TOP/bench/lib.sh"
cd "$BENCH_WORK"
printf 'console=ttyS0' >cmdline
head -c 20000000 /dev/zero >initrd
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" uki.efi \
	.cmdline=cmdline .initrd=initrd .linux="$IMAGES/vmlinuz-amd64"
for img in "$IMAGES/vmlinuz-amd64" uki.efi; do
	name=$(basename "$img")
	mb=$(echo "$(stat -L -c %s "$img") / 1048576" | bc -l)
	t=$(bench_time 5 "$PEKEXEC" inspect --json "$img")
	o=$(bench_time 5 objdump -h -p "$img")
	row "inspect --json $name" "$t" s "$(printf '%.1f MB; objdump -h -p: %s s' "$mb" "$o")"
	row "inspect --json $name throughput" "$(printf '%.0f' "$(echo "$mb / $t" | bc -l)")" MB/s "sha256 of every section + Authenticode digest"
	row "inspect --json $name peak RSS" "$(bench_rss "$PEKEXEC" inspect --json "$img")" KiB "the file is read into memory"
done
