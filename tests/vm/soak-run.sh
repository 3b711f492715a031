#!/bin/bash
# SPDX-License-Identifier: MIT
#
# soak-run.sh - soak of the CONFIG_KEXEC_BPF series on a debug kernel
# (kernel/config/debug.config: KASAN, lockdep + PROVE_RCU, kmemleak,
# DEBUG_ATOMIC_SLEEP, DEBUG_LIST), issue #6.
#
#   tests/vm/soak-run.sh        (make soak-kernel [SOAK_CYCLES=200])
#
# One QEMU (TCG) boot of KERNEL_DIR/x86_64/bzImage (default
# $BUILD/kernel-debug, `kernel/build.sh -d`) runs tests/vm/soak-init.sh:
# SOAK_CYCLES load/unload cycles (kexec_file_load + KEXEC_FILE_UNLOAD) of
#   - every malformed image of tests/vm/run.sh, lockdown off (corrupt gzip,
#     truncated zstd, no kernel produced, unknown command, 5 nested stages,
#     a pekexec zboot whose appended size is wrong): each must fail with
#     run.sh's errno; a program that reads the user's command line loads;
#   - under lockdown=integrity, the signed good images: a UKI with the VM
#     test parser, a pekexec build-uki UKI, a UKI around a zboot (2 stages),
#     pekexec build-zboot zboots (gzip, zstd22, xzkern, lz4): each must
#     load; and the unsigned, tampered and untrusted-key images and a user
#     initrd / command line next to a signed image: EPERM; the image's own
#     command line with other white space loads; a signed program that
#     reads outside its buffers (EINVAL) and a stream declaring 1 GiB
#     (EFBIG) fail (issues 11, 12);
# then two kmemleak scans (boot's own leaks are cleared before cycle 1 and
# only counted).  The console log is read with ignore_loglevel; the run
# fails on any kernel report: WARNING, BUG (KASAN, sleeping function called
# from invalid context, ...), lockdep (possible ... deadlock/locking, suspicious
# RCU usage, lockdep turning itself off), kmemleak leaks or kmemleak
# disabled, list corruption, RCU stalls, hung tasks, Oops/panic; and on any
# load whose errno differs, or a missing final report (KASAN initialised,
# lockdep still on: debug_locks 1, kmemleak scanned).
#
# Prints the time per cycle and the projection for 200 and 1000 cycles.
# Environment: BUILD, KERNEL_DIR, SOAK_CYCLES (200), VM_MEM (3072, MiB),
# VM_TIMEOUT (seconds; default 1800 + 1200 per cycle).
# SOAK_HARNESS_ONLY=1 runs the same cycles on a kernel without the debug
# options (e.g. KERNEL_DIR=$BUILD/kernel): a check of the harness and a
# lower bound of the time per cycle, never a soak result (it says so).
# Exit 0 if clean, 1 on any finding, 77 if the debug kernel is not built.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
kdir=${KERNEL_DIR:-$BUILD/kernel-debug}
kernel=$kdir/x86_64/bzImage
keys=$kdir/keys
cycles=${SOAK_CYCLES:-200}
work=$BUILD/kernel-soak
timeout_s=${VM_TIMEOUT:-$((1800 + 1200 * cycles))}
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

if [ ! -e "$kernel" ] || [ ! -e "$keys/test.key" ]; then
	echo "SKIP: no debug kernel in $kdir: kernel/build.sh -d -o $kdir x86_64"
	exit 77
fi
harness_only=${SOAK_HARNESS_ONLY:-}
opts="KASAN PROVE_LOCKING PROVE_RCU DEBUG_KMEMLEAK DEBUG_ATOMIC_SLEEP DEBUG_LIST"
[ -z "$harness_only" ] || opts=
for opt in $opts KEXEC_BPF; do
	grep -qx "CONFIG_$opt=y" "$kdir/x86_64/.config" || {
		echo "FAIL: $kdir/x86_64 is not a soak kernel: CONFIG_$opt is not y"
		exit 1
	}
done
for tool in qemu-system-x86_64 busybox sbsign objcopy clang cpio gzip zstd; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: $tool missing: scripts/deps.sh ensure qemu kernel test"
		exit 77
	}
done
case "$cycles" in '' | *[!0-9]* | 0)
	echo "soak-run.sh: SOAK_CYCLES must be a positive number" >&2; exit 2 ;;
esac

rm -rf "$work"
mkdir -p "$work/img" "$work/root"
t0=$(date +%s)
img=$work/img

# the VM tests' parser program, loader and images (tests/vm/images.sh,
# shared with tests/vm/run.sh)
make -s -C "$top" BUILD="$BUILD" "$BUILD/pekexec" "$BUILD/bpf/uki.bpf" \
	"$BUILD/bpf/zboot.bpf"
. "$top/tests/vm/images.sh"
vm_tools "$top" "$BUILD" "$work"
printf 'console=ttyS0 panic=-1 pksoak.second=1' >"$img/cmdline"
printf 'initrd-of-the-image\n' >"$img/initrd"
printf 'user initrd\n' >"$work/root/user.initrd"
printf 'ucode-of-11' >"$work/ucode"
vm_images "$top" "$img" "$kernel" "$work/parser.lskel.o" "$keys" "$stub"
vm_real_images "$img" "$kernel" "$keys" "$stub" "$BUILD/pekexec" "$work/ucode"
rm "$img/nest2.efi" "$img/xz-slow.efi"	# not in the lists (nest5 holds nest2)

cat >"$work/root/unlocked" <<'EOF'
t corrupt-gzip EBADMSG /img/corrupt-gzip.efi
t truncated-zstd EBADMSG /img/truncated-zstd.efi
t no-progress ENOEXEC /img/noprogress.efi
t bad-command EINVAL /img/badcmd.efi
t nested-5 ELOOP /img/nest5.efi
t real-zboot-badsize EINVAL /img/real-zboot-badsize.efi
t probe-user-cmdline 0 /img/probe-cmdline.efi - 'pktest.probe=1'
EOF
cat >"$work/root/locked" <<'EOF'
t signed-uki 0 /img/signed.efi
t real-uki 0 /img/real-uki.efi
t real-nested 0 /img/real-nested.efi
t real-zboot-gzip 0 /img/real-zboot-gzip.efi
t real-zboot-zstd22 0 /img/real-zboot-zstd22.efi
t real-zboot-xzkern 0 /img/real-zboot-xzkern.efi
t real-zboot-lz4 0 /img/real-zboot-lz4.efi
t unsigned EPERM /img/unsigned.efi
t tampered EPERM /img/tampered.efi
t untrusted EPERM /img/untrusted.efi
t user-cmdline EPERM /img/signed.efi - 'console=ttyS0 evil=1'
t user-initrd EPERM /img/signed.efi /user.initrd
t user-cmdline-same 0 /img/signed.efi - '  console=ttyS0   panic=-1 pksoak.second=1 '
t probe-outside EINVAL /img/probe-stack.efi
t declared-1g EFBIG /img/zstd-1g.efi
EOF
per_cycle=$(($(wc -l <"$work/root/unlocked") + $(wc -l <"$work/root/locked")))

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
ln -sf busybox "$root/bin/sh"
cp "$work/pk-kexec-file" "$root/bin/"
cp "$top/tests/vm/soak-init.sh" "$root/init"
chmod +x "$root/init"
cp -r "$img" "$root/img"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
	>"$work/initramfs.cpio"
t1=$(date +%s)
echo "soak: images and initramfs: $((t1 - t0))s ($(du -sh \
	"$work/initramfs.cpio" | cut -f1)); $cycles cycles of $per_cycle loads"

log=$work/serial.log
rc=0
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -m "${VM_MEM:-3072}" \
	-smp 1 -display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 rdinit=/init ignore_loglevel soak.cycles=$cycles" ||
	rc=$?
t2=$(date +%s)
echo "soak: QEMU $((t2 - t1))s (exit $rc)"

clean=$work/serial.txt
tr -d '\r' <"$log" >"$clean"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# every kernel report the debug options can print, anywhere in the log
reports='WARNING:|BUG:|KASAN|Oops|general protection fault|Kernel panic|'
reports+='kernel BUG at|possible circular locking|possible recursive locking|'
reports+='possible irq lock inversion|inconsistent lock state|deadlock|'
reports+='suspicious RCU usage|sleeping function called from invalid context|'
reports+='turning off the locking correctness validator|debug_locks_off|'
reports+='list_add corruption|list_del corruption|rcu_sched self-detected|'
reports+='rcu: INFO|blocked for more than|soft lockup|hard LOCKUP|'
reports+='kmemleak: .*disabled|kmemleak: Memory pool empty|Call Trace:'
# KASAN's own banner is the one harmless match
grep -nE "$reports" "$clean" | grep -v 'KernelAddressSanitizer initialized' \
	>"$work/reports" || true
if [ -s "$work/reports" ]; then
	bad "$(wc -l <"$work/reports") kernel report line(s):"
	head -n 40 "$work/reports" | sed 's/^/    /'
fi
# kmemleak after the baseline: leaks of the soak itself
if sed -n '/^PKSOAK BASELINE/,$p' "$clean" |
	grep -nE 'suspected memory leak|unreferenced object' >"$work/leaks"; then
	bad "kmemleak reports after the baseline:"
	head -n 40 "$work/leaks" | sed 's/^/    /'
fi
grep '^PKSOAK FAIL' "$clean" | sed 's/^PKSOAK FAIL /FAIL: /' | head -n 40 || true
grep -q '^PKSOAK FAIL' "$clean" && fail=1
grep -qx 'PKSOAK lockdown: none \[integrity\] confidentiality' "$clean" ||
	bad "lockdown was not raised to integrity"
# the detectors were there and still on at the end
if [ -z "$harness_only" ]; then
	grep -q 'kasan: KernelAddressSanitizer initialized' "$clean" ||
		bad "no 'KernelAddressSanitizer initialized' in the log"
	grep -q '^PKSOAK LOCKDEP .*debug_locks=1 ' "$clean" ||
		bad "lockdep not active at the end: $(grep '^PKSOAK LOCKDEP' \
			"$clean" || echo no report)"
	grep -q '^PKSOAK KMEMLEAK scanned=yes leaks=0 ' "$clean" ||
		bad "kmemleak: $(grep '^PKSOAK KMEMLEAK' "$clean" || echo no final scan)"
fi
want="PKSOAK DONE cycles=$cycles loads=$((cycles * per_cycle)) fails=0"
grep -qx "$want" "$clean" ||
	bad "expected '$want', got '$(grep '^PKSOAK DONE' "$clean" || echo nothing)'"

grep '^PKSOAK BOOT-LEAKS\|^PKSOAK KMEMLEAK\|^PKSOAK LOCKDEP\|^PKSOAK DONE' "$clean" || true
awk '/^PKSOAK CYCLE/ { d = $6 - $5; t[$3] += d; k[$3]++; all += d; n++ }
END {
	if (!n) exit
	for (p in t)
		printf "soak: %s: %d cycles, %.1f s per cycle\n", p, k[p], t[p] / k[p]
	c = 0
	for (p in t)
		c += t[p] / k[p]
	printf "soak: one cycle (unlocked + locked) %.1f s; 200 cycles ~%.1f h, 1000 cycles ~%.1f h\n",
		c, c * 200 / 3600, c * 1000 / 3600
}' "$clean"
if [ "$fail" -ne 0 ]; then
	echo "---- serial log tail ($log) ----"
	tail -n 60 "$clean"
	exit 1
fi
if [ -n "$harness_only" ]; then
	echo "soak: HARNESS ONLY (SOAK_HARNESS_ONLY=1): $cycles cycles x $per_cycle" \
		"loads passed on a kernel without KASAN/lockdep/kmemleak: not a soak result"
else
	echo "soak: clean: $cycles cycles x $per_cycle loads, no kernel report"
fi
