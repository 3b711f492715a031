#!/bin/bash
# SPDX-License-Identifier: MIT
# b-decompress.sh - each decompressor's throughput (MB/s of output) against
# its command-line tool decompressing the same stream to /dev/null in the
# same run.  Data: 32 MiB of a real kernel image (the vmlinux inside
# Debian's vmlinuz, unpacked with xz(1) as scripts/extract-vmlinux does),
# compressed with the kernel's own command lines (scripts/Makefile.lib).
# The CLI time includes process start-up; ours is the library call only.
set -eu
. "$TOP/bench/lib.sh"
cd "$BENCH_WORK"
drv="$BUILD/bench-decompress"

# the xz stream inside the bzImage (its magic's first offset)
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$IMAGES/vmlinuz-amd64" | head -n 1 | cut -d: -f1)
tail -c +"$((off + 1))" "$IMAGES/vmlinuz-amd64" | xz -dc 2>/dev/null | head -c 33554432 >data || true
[ "$(stat -c %s data)" -eq 33554432 ] || { echo "cannot unpack vmlinux" >&2; exit 1; }
mb=$(echo "33554432 / 1000000" | bc -l)

# name | kernel command (stdin -> stdout) | CLI decompressor
formats=(
	"gzip|gzip -n -f -9|gzip -dc"
	"zstd22|zstd -22 --ultra -q -c|zstd -dcq"
	"xzkern|xz --check=crc32 --x86 --lzma2=,dict=32MiB -c|xz -dc"
	"lzma|lzma -9 -c|lzma -dc"
	"lz4|lz4 -l -9 -c|lz4 -dc"
	"lzo|lzop -9 -c|lzop -dc"
	"bzip2|bzip2 -9 -c|bzip2 -dc"
)
# compress two at a time (the slow ones dominate)
i=0
for f in "${formats[@]}"; do
	IFS='|' read -r name comp _ <<<"$f"
	[ -s "data.$name" ] || $comp <data >"data.$name" &
	i=$((i + 1))
	[ $((i % 2)) -eq 0 ] && wait
done
wait

# best of 5, ours and the CLI alternating so that load on the machine hits both
for f in "${formats[@]}"; do
	IFS='|' read -r name _ dcmd <<<"$f"
	t= c=
	for _ in 1 2 3 4 5; do
		read -r t1 out in < <("$drv" "data.$name" 1)
		[ "$out" -eq 33554432 ] || { echo "$name: $out bytes out" >&2; exit 1; }
		c1=$(bench_time 1 sh -c "$dcmd < data.$name > /dev/null")
		if [ -z "$t" ] || [ "$(echo "$t1 < $t" | bc -l)" = 1 ]; then t=$t1; fi
		if [ -z "$c" ] || [ "$(echo "$c1 < $c" | bc -l)" = 1 ]; then c=$c1; fi
	done
	ours=$(echo "$mb / $t" | bc -l)
	cli=$(echo "$mb / $c" | bc -l)
	row "decompress $name (32 MiB vmlinux)" "$(printf '%.0f' "$ours")" MB/s \
		"$(printf '%s: %.0f MB/s; ratio %s; %d -> %d bytes' "${dcmd%% *}" "$cli" \
			"$(bench_ratio "$ours" "$cli")" "$in" "$out")"
done
