#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-vm.sh - the CONFIG_KEXEC_BPF kernel, built from the pristine
# linux-source-6.1 tarball with kernel/patches/ applied (kernel/build.sh
# into $BUILD/kernel; with KSERIES=6.12, linux-source-6.12 with
# kernel/patches-6.12/ into $BUILD/kernel-6.12: tests/t-kernel-6.12-vm.sh),
# boots in QEMU (TCG) and passes every check of
# tests/vm/run.sh: kexec_file_load() of signed, unsigned, compressed,
# nested and hostile images, the policy under lockdown=integrity, the
# byte identity of the kernel's output with `pekexec extract` for images
# made by build-uki/build-zboot with the project's own parser programs, and
# the kexec into the second kernel (docs/kernel.md).
#
# The oracles are host tools (sha256sum, the compressors, sbsign) and the
# booted kernels themselves (errno of kexec_file_load, debugfs digests,
# the second kernel's /proc/cmdline on the serial console).
#
# The kernel is rebuilt only when its inputs change: kernel/build.sh keeps
# the patched tree per series hash and make/ccache do the rest (a cold
# build takes about 17 minutes of CPU, an unchanged one 15 s; numbers in
# kernel/README.md).  Skips (77) only when the tarball or QEMU are
# missing and cannot be installed, or when `make check` leaves this
# series out (CHECK_KERNELS in mk/kernel.mk).
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

kseries=${KSERIES:-6.1}
. "$TOP/tests/lib/vm-lib.sh"
kout=$(vm_kernel_out "$kseries") || fail "unknown KSERIES '$kseries'"
vm_check_kernels "$kseries" x86_64
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-$kseries.tar.xz}
if [ ! -r "$tarball" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	"$TOP/scripts/deps.sh" ensure kernel qemu test >deps.log 2>&1 || true
fi
[ -r "$tarball" ] ||
	skip "$tarball missing and not installable: $(tail -n 1 deps.log)"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 missing and not installable: $(tail -n 1 deps.log)"
for tool in make gcc ccache bc bison flex pahole patch; do
	command -v $tool >/dev/null ||
		fail "$tool missing (scripts/deps.sh ensure kernel)"
done

t0=$(date +%s)
if ! KSERIES=$kseries "$TOP/kernel/build.sh" -o "$kout" x86_64 >build.log 2>&1; then
	tail -n 40 build.log
	fail "kernel build failed (KSERIES=$kseries kernel/build.sh -o $kout x86_64)"
fi
grep '^time:\|^kernel:' build.log
echo "kernel build: $(($(date +%s) - t0))s"

rc=0
BUILD=$BUILD KSERIES=$kseries KERNEL_DIR=$kout "$TOP/tests/vm/run.sh" || rc=$?
case $rc in
0) ;;
77) exit 77 ;;	# run.sh printed "SKIP: reason"
*) fail "tests/vm/run.sh exited $rc" ;;
esac
