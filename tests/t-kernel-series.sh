#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-series.sh - the CONFIG_KEXEC_BPF series applies with `patch -p1`
# to the pristine linux-source-6.1 tarball, every patch is clean under
# that tree's scripts/checkpatch.pl --strict, and the uapi header it adds
# is byte for byte the project's include/kexec_bpf/kexec_bpf.h.  (Building and booting the
# kernel is tests/t-kernel-vm.sh.)
set -euo pipefail

tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
[ -r "$tarball" ] || { echo "SKIP: $tarball missing (scripts/deps.sh ensure kernel)"; exit 77; }
for tool in patch perl comm; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh ensure kernel)"; exit 77; }
done
perl -MTerm::ANSIColor -MEncode -e1 2>/dev/null ||
	{ echo "SKIP: perl modules of checkpatch.pl missing (package perl)"; exit 77; }
patches=("$TOP"/kernel/patches/*.patch)
[ -e "${patches[0]}" ] || { echo "FAIL: no patches in kernel/patches"; exit 1; }

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
mkdir tree
tar -xf "$tarball" -C tree --strip-components=1 "${members[@]}"

fail=0
for p in "${patches[@]}"; do
	name=$(basename "$p")
	if ! patch -d tree -p1 --batch --forward --quiet <"$p"; then
		echo "FAIL: $name does not apply"
		fail=1
		continue
	fi
	total=$(cd tree && perl scripts/checkpatch.pl --strict --no-tree "$p" |
		grep '^total:' || true)
	case "$total" in
	"total: 0 errors, 0 warnings, 0 checks,"*) echo "ok: $name: $total" ;;
	*) echo "FAIL: $name: checkpatch --strict: $total"; fail=1 ;;
	esac
done
# the ABI has one text: the series' uapi header is the project's header
if cmp -s tree/include/uapi/linux/kexec_bpf.h "$TOP/include/kexec_bpf/kexec_bpf.h"; then
	echo "ok: include/uapi/linux/kexec_bpf.h is include/kexec_bpf/kexec_bpf.h"
else
	echo "FAIL: the series' include/uapi/linux/kexec_bpf.h differs from include/kexec_bpf/kexec_bpf.h:"
	diff -u tree/include/uapi/linux/kexec_bpf.h "$TOP/include/kexec_bpf/kexec_bpf.h" | head -n 40
	fail=1
fi
exit $fail
