#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build-each.sh - build the series patch by patch (x86_64).
#
#   [KSERIES=6.1|6.12] kernel/build-each.sh [OUTDIR]
#                               (make kernel-each [KSERIES=6.12]; not in make check)
#
# Every patch must build on its own.  KSERIES (default 6.1) picks the tree
# and the series as kernel/build.sh does: linux-source-6.1 with
# kernel/patches/, or linux-source-6.12 with kernel/patches-6.12/.  The
# pristine tree is extracted into OUTDIR/src (default build/kernel-each,
# build/kernel-each-6.12) and the patches are applied one at a time;
# after each, vmlinux is built in OUTDIR/out-x86_64 with the
# configuration of the full series (build/kernel/x86_64/.config or
# build/kernel-6.12/x86_64/.config, from `make kernel [KSERIES=6.12]`;
# olddefconfig drops what an early patch does not have yet).
# A build that fails, or prints a warning, fails the patch.  The tree and
# object paths have the same shape as kernel/build.sh's, so the shared
# ccache makes each step a matter of the files the patch touches.
# Prints "build-each: PATCH: ok (Ns)" per patch; exit 1 on the first failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kseries=${KSERIES:-6.1}
case "$kseries" in
6.1) patches=$top/kernel/patches kbuild=$top/build/kernel each=kernel-each ;;
6.12) patches=$top/kernel/patches-6.12 kbuild=$top/build/kernel-6.12
	each=kernel-each-6.12 ;;
*) echo "build-each: unknown KSERIES '$kseries' (6.1 or 6.12)" >&2; exit 2 ;;
esac
outdir=${1:-$top/build/$each}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-$kseries.tar.xz}
config=$kbuild/x86_64/.config
[ -r "$config" ] || {
	echo "build-each: $config missing: run" \
		"'make kernel ARCH=x86_64 KSERIES=$kseries' first" >&2
	exit 1
}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
src=$outdir/src out=$outdir/out-x86_64
rm -rf "$src" "$out"
mkdir -p "$src" "$out"
tar -xf "$tarball" -C "$src" --strip-components=1
# shellcheck source=../tests/lib/ccache-env.sh
. "$top/tests/lib/ccache-env.sh"
ccache_env "$outdir"
cp "$kbuild/keys/test.crt" "$out/pekexec-test.crt"
for p in "$patches"/*.patch; do
	name=$(basename "$p")
	t0=$(date +%s)
	patch -d "$src" -p1 --batch --forward --quiet <"$p"
	cp "$config" "$out/.config"
	if ! make -s -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" \
		HOSTCC="ccache gcc" olddefconfig >"$out/log" 2>&1 ||
		! make -s -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" \
			HOSTCC="ccache gcc" -j"$(nproc)" vmlinux >>"$out/log" 2>&1 ||
		grep -q 'warning:' "$out/log"; then
		echo "build-each: $name: FAILED"
		grep -E 'error|warning' "$out/log" | head -n 20
		exit 1
	fi
	echo "build-each: $name: ok ($(($(date +%s) - t0))s)"
done
