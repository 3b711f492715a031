#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-series.sh - the CONFIG_KEXEC_BPF series applies with `patch -p1`
# to the pristine linux-source-6.1 tarball (kernel/patches/) and to
# linux-source-6.12 (kernel/patches-6.12/), every patch is clean under
# that tree's scripts/checkpatch.pl --strict, and the uapi header each adds
# is byte for byte the project's include/kexec_bpf/kexec_bpf.h.  (Building
# and booting the kernels: tests/t-kernel-vm.sh, t-kernel-6.12-vm.sh.)
set -euo pipefail

for tool in patch perl comm; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh ensure kernel)"; exit 77; }
done
perl -MTerm::ANSIColor -MEncode -e1 2>/dev/null ||
	{ echo "SKIP: perl modules of checkpatch.pl missing (package perl)"; exit 77; }

fail=0
# series KSERIES PATCHDIR: apply PATCHDIR to linux-source-KSERIES's files,
# checkpatch each patch with that tree's checkpatch, compare the uapi header
series() {
	local kseries=$1 dir=$2 tarball=/usr/src/linux-source-$1.tar.xz tree=tree-$1
	local patches files members top p name total f
	[ "$kseries" != 6.1 ] || tarball=${LINUX_SOURCE_TARBALL:-$tarball}
	[ -r "$tarball" ] || { echo "SKIP: $tarball missing (scripts/deps.sh ensure kernel)"; exit 77; }
	patches=("$dir"/*.patch)
	[ -e "${patches[0]}" ] || { echo "FAIL: no patches in $dir"; fail=1; return; }
	# the files the series modifies, plus checkpatch and its data
	# (not those an earlier patch of the series creates)
	mapfile -t files < <(comm -23 \
		<(grep -h '^--- a/' "${patches[@]}" | sed 's|^--- a/||' | sort -u) \
		<(grep -h -A1 '^--- /dev/null' "${patches[@]}" | sed -n 's|^+++ b/||p' |
		  sort -u))
	top=$( (tar -tf "$tarball" 2>/dev/null || true) | head -n 1 | cut -d/ -f1)
	members=()
	for f in "${files[@]}" scripts/checkpatch.pl scripts/spelling.txt \
		scripts/const_structs.checkpatch; do
		members+=("$top/$f")
	done
	mkdir "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1 "${members[@]}"
	for p in "${patches[@]}"; do
		name=$kseries/$(basename "$p")
		if ! patch -d "$tree" -p1 --batch --forward --quiet <"$p"; then
			echo "FAIL: $name does not apply"
			fail=1
			continue
		fi
		total=$(cd "$tree" && perl scripts/checkpatch.pl --strict --no-tree "$p" |
			grep '^total:' || true)
		case "$total" in
		"total: 0 errors, 0 warnings, 0 checks,"*) echo "ok: $name: $total" ;;
		*) echo "FAIL: $name: checkpatch --strict: $total"; fail=1 ;;
		esac
	done
	# the ABI has one text: the series' uapi header is the project's header
	if cmp -s "$tree/include/uapi/linux/kexec_bpf.h" "$TOP/include/kexec_bpf/kexec_bpf.h"; then
		echo "ok: $kseries: include/uapi/linux/kexec_bpf.h is include/kexec_bpf/kexec_bpf.h"
	else
		echo "FAIL: $kseries: the series' include/uapi/linux/kexec_bpf.h differs from include/kexec_bpf/kexec_bpf.h:"
		diff -u "$tree/include/uapi/linux/kexec_bpf.h" "$TOP/include/kexec_bpf/kexec_bpf.h" | head -n 40
		fail=1
	fi
}
series 6.1 "$TOP/kernel/patches"
series 6.12 "$TOP/kernel/patches-6.12"
exit $fail
