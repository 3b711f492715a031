#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-zboot-bomb.sh - a zboot payload that declares a decompressed size above
# the kernel limit (PK_PIPELINE_MAX_KERNEL, 512 MiB) is refused before
# anything is decompressed, by extract, load and inspect.
#
#   - a real bomb: build-zboot of 1 GiB of zeros with lz4 (a 4 MiB file);
#     the declared size is read with od where DESIGN.md §5 puts it (the
#     le32 after the payload); the error must name that size and its
#     offset, exit 7, and the optimized tool's peak RSS (/usr/bin/time)
#     must stay far below the 512 MiB it took to decompress up to the
#     limit before;
#   - small gzip / zstd22 images whose declared size (ISIZE trailer / le32
#     after the payload) is patched to 1 GiB and to 0xffffffff: refused the
#     same way; patched to exactly the limit: not refused by this rule (the
#     program's own size check fails it later).
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in od dd truncate lz4 gzip zstd /usr/bin/time; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
pk=$PEKEXEC
fast=${PEKEXEC_FAST:-$PEKEXEC}
limit=$((512 << 20)) # PK_PIPELINE_MAX_KERNEL (include/pekexec/pipeline.h)
le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
put32() { # FILE OFFSET VALUE
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) \
		$(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# size_at FILE gzip|other: where the declared size lives (DESIGN.md §5)
size_at() {
	local off size
	off=$(le32 "$1" 8) size=$(le32 "$1" 12)
	if [ "$2" = gzip ]; then echo $((off + size - 4)); else echo $((off + size)); fi
}
expect_refused() { # FILE DECLARED AT
	local rc=0 hex
	hex=$(printf '0x%x' "$3")
	"$pk" extract --verify off -o out "$1" >/dev/null 2>err || rc=$?
	[ $rc -eq 7 ] || { cat err; fail "$1: extract exit $rc, want 7"; }
	grep -q "declares a decompressed size of $2 bytes (le32 at $hex)" err ||
		{ cat err; fail "$1: the error does not name the declared size $2 at $hex"; }
	grep -q "refused before decompressing" err || { cat err; fail "$1: message"; }
	[ ! -e out ] || fail "$1: output written"
	rc=0
	"$pk" load --dry-run --verify off "$1" >/dev/null 2>err || rc=$?
	[ $rc -eq 7 ] || { cat err; fail "$1: load exit $rc, want 7"; }
	grep -q "declares a decompressed size of $2 bytes" err || { cat err; fail "$1: load message"; }
	"$pk" inspect "$1" >insp || fail "$1: inspect failed"
	grep -q "declares a decompressed size of $2 bytes" insp ||
		{ cat insp; fail "$1: inspect does not show the refusal"; }
}

# The real bomb: 1 GiB of zeros, lz4 (the fastest compressor here).
truncate -s 1G zeros
"$fast" build-zboot --image zeros --compress lz4 --machine arm64 -o bomb.efi
rm zeros
at=$(size_at bomb.efi lz4)
declared=$(le32 bomb.efi "$at")
[ "$declared" -eq $((1 << 30)) ] || fail "build-zboot declared $declared, want 1 GiB"
expect_refused bomb.efi "$declared" "$at"
rc=0
/usr/bin/time -f "%e %M" -o usage "$fast" extract --verify off -o out bomb.efi 2>/dev/null || rc=$?
[ $rc -eq 7 ] || fail "fast extract exit $rc"
read -r secs kb < <(tail -n 1 usage)
echo "bomb: refused in $secs s, peak RSS $kb KiB (file $(stat -c %s bomb.efi) bytes)"
[ "$kb" -lt $((128 << 10)) ] || fail "peak RSS $kb KiB: something was decompressed"

# Patched declared sizes on small images.
head -c 1048576 /dev/urandom >Image
for comp in gzip zstd22; do
	"$fast" build-zboot --image Image --compress $comp --machine arm64 -o z-$comp.efi
	kind=$([ $comp = gzip ] && echo gzip || echo other)
	at=$(size_at z-$comp.efi $kind)
	[ "$(le32 z-$comp.efi "$at")" -eq 1048576 ] || fail "$comp: declared size before patching"
	for big in $((1 << 30)) 4294967295 $((limit + 1)); do
		cp z-$comp.efi big.efi
		put32 big.efi "$at" $big
		expect_refused big.efi $big "$at"
	done
	# exactly the limit: this rule lets it through, the program's check fails it
	cp z-$comp.efi edge.efi
	put32 edge.efi "$at" $limit
	rc=0
	"$pk" extract --verify off -o out edge.efi >/dev/null 2>err || rc=$?
	[ $rc -ne 0 ] || fail "$comp: declared $limit for a 1 MiB Image accepted"
	! grep -q "refused before decompressing" err || { cat err; fail "$comp: the limit itself refused"; }
	echo "$comp: 1 GiB, 0xffffffff and limit+1 declared: refused; the limit itself: left to the program"
done
