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
#
# SOAK_LOADS=N (make soak-kernel SOAK_LOADS=1000; issue 11) replaces the
# cycles by one boot of N kexec_file_load() calls, cheap enough for an
# hour under TCG: the lists above once, with the full-size images; without
# lockdown also a -p (KEXEC_FILE_ON_CRASH, crashkernel=256M) load of an
# unsigned small image and of a build-uki UKI, and the memcg test
# (soak-init.sh: a load in a cgroup whose memory.max its buffers exceed
# fails with ENOMEM, one within it loads and memory.peak shows the kernel
# charged, the stock bzImage loader's uncharged buffers pass the same
# limit); under lockdown also pk-race on real-nested, root's fentry.s
# program on the anchor while signed.efi loads (it must never run), the
# three programs the verifier must refuse and the series' kselftest (not
# counted), a -p load of signed.efi; then, up to N, small images around a
# 24 KiB bzImage the x86_64 loader accepts (tests/vm/images.sh:
# vm_tiny_kernel): every SOAK_MIX_EVERY-th call (default 10) the next of a
# mix of 23: every image kind small (build-uki, build-zboot x4, nested, a
# UKI with the VM parser), every malformed class signed,
# unsigned/tampered/untrusted, user command line and initrd, the
# stack-reading program, the 1 GiB declaration, -p loads, root's program;
# every 300th pk-race on the small UKI; every other call the next of 10
# cheap ones (vm_cheap_images: zboots whose .bpf is the 163-instruction
# upstream-style program; four compressions, -p, corrupt, unsigned,
# tampered, a user command line and initrd).  Every call is counted
# (PKSOAK L lines: name, errno, seconds), and a summary per name is
# printed.
# Environment: BUILD, KERNEL_DIR, SOAK_CYCLES (200), SOAK_LOADS,
# SOAK_MIX_EVERY (10), VM_MEM
# (3072, MiB), VM_TIMEOUT (seconds; default 1800 + 1200 per cycle, 3600 +
# 30 per load with SOAK_LOADS).
# SOAK_SCAN_ONLY=1 judges the serial log of the last run in the work
# directory (SOAK_WORK, default $BUILD/kernel-soak) again, without a boot.
# SOAK_MEMCG_ONLY=1 (with SOAK_LOADS=1) runs only the memcg test;
# SOAK_SMALL_ONLY=1 only the N small loads (their cost, not a soak).
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
loads=${SOAK_LOADS:-}
case "$loads" in *[!0-9]* | 0)
	echo "soak-run.sh: SOAK_LOADS must be a positive number" >&2; exit 2 ;;
esac
[ -z "$loads" ] || cycles=1
work=${SOAK_WORK:-$BUILD/kernel-soak}
if [ -n "$loads" ]; then
	timeout_s=${VM_TIMEOUT:-$((3600 + 30 * loads))}
else
	timeout_s=${VM_TIMEOUT:-$((1800 + 1200 * cycles))}
fi
# the calls of kexec_file_load() in a list (e, ks: none counted)
nloads() { grep -cE '^(t|p|ta|race|mc) ' || true; }
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

if [ ! -e "$kernel" ] || [ ! -e "$keys/test.key" ]; then
	echo "SKIP: no debug kernel in $kdir: kernel/build.sh -d -o $kdir x86_64"
	exit 77
fi
harness_only=${SOAK_HARNESS_ONLY:-}
# SOAK_LOADS: every SOAK_MIX_EVERY-th small call is the next of the mix
mix_every=${SOAK_MIX_EVERY:-10}
SOAK_SMALL_ONLY=${SOAK_SMALL_ONLY:-}
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

# SOAK_SCAN_ONLY=1: judge the serial log of an earlier run in $work again
# (the same lists), e.g. after this script was edited while it ran
if [ -z "${SOAK_SCAN_ONLY:-}" ]; then
rm -rf "$work"
mkdir -p "$work/img" "$work/root"
t0=$(date +%s)
img=$work/img

# the VM tests' parser program, loader and images (tests/vm/images.sh,
# shared with tests/vm/run.sh)
make -s -C "$top" BUILD="$BUILD" "$BUILD/pekexec" "$BUILD/bpf/uki.bpf" \
	"$BUILD/bpf/zboot.bpf" "$BUILD/bpf-progs/zboot_parser.lskel.o"
. "$top/tests/vm/images.sh"
vm_tools "$top" "$BUILD" "$work"
printf 'console=ttyS0 panic=-1 pksoak.second=1' >"$img/cmdline"
printf 'initrd-of-the-image\n' >"$img/initrd"
printf 'user initrd\n' >"$work/root/user.initrd"
printf 'ucode-of-11' >"$work/ucode"
vm_images "$top" "$img" "$kernel" "$work/parser.lskel.o" "$keys" "$stub"
vm_real_images "$img" "$kernel" "$keys" "$stub" "$BUILD/pekexec" "$work/ucode"
rm "$img/nest2.efi" "$img/xz-slow.efi"	# not in the lists (nest5 holds nest2)
if [ -n "$loads" ]; then
	vm_tiny_kernel "$kernel" "$work/tiny" 0
	vm_small_images "$top" "$img" "$work/tiny" "$work/parser.lskel.o" \
		"$keys" "$stub" "$BUILD/pekexec" "$work/ucode"
	vm_cheap_images "$img" "$work/tiny" \
		"$BUILD/bpf-progs/zboot_parser.lskel.o" "$keys" "$BUILD/pekexec"
	# memcg: a 6 MiB kernel (the tiny one padded with zeros) that the
	# VM parser copies (memcg-copy; the parser copies at most 8 MiB) into
	# the series' charged buffers, and as a plain bzImage for the stock
	# loader (no charge); a 64 MiB one in a zstd stream (memcg-zstd)
	vm_tiny_kernel "$kernel" "$img/memcg-stock.bzImage" $((6 << 20))
	vm_tiny_kernel "$kernel" "$work/memcg-64m" $((64 << 20))
	zstd -3 -q -c <"$work/memcg-64m" >"$work/memcg.zst"
	rm "$work/memcg-64m"
	"$top/tests/vm/mkimage.sh" -s "$stub" -k "$keys/test.key" \
		-c "$keys/test.crt" "$img/memcg-zstd.efi" \
		.cmdline="$img/cmdline" .linux="$work/memcg.zst" \
		.bpf="$work/parser.lskel.o"
	"$top/tests/vm/mkimage.sh" -s "$stub" -k "$keys/test.key" \
		-c "$keys/test.crt" "$img/memcg-copy.efi" \
		.cmdline="$img/cmdline" .linux="$img/memcg-stock.bzImage" \
		.bpf="$work/parser.lskel.o"
	vm_guest_tools "$top" "$kdir/src" "$work"
fi

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
if [ -n "$loads" ]; then
	# SOAK_LOADS: the lists above once (full-size images), then the
	# attacks, -p loads and the memcg test, then small images up to
	# SOAK_LOADS calls: two of three the small signed UKI, every third
	# the next of the mix (every kind, every malformed class signed, -p,
	# the attacks) -- all of it in one boot, so in one list per phase.
	# the memcg test first: its result is known minutes into the run
	# (soak-init.sh, mc: memory.max, the kernel's size; base is
	# memory.peak of the small load)
	{
		echo "mc memcg-base 0 /img/s-unsigned.efi $((1 << 30)) $(stat -c %s "$work/tiny")"
		echo "mc memcg-copy-within-max 0 /img/memcg-copy.efi $((1 << 30)) $((6 << 20))"
		echo "mc memcg-zstd-within-max 0 /img/memcg-zstd.efi $((1 << 30)) $((64 << 20))"
		echo "mc memcg-copy-over-max ENOMEM /img/memcg-copy.efi base+$((1 << 20)) $((6 << 20))"
		echo "mc memcg-zstd-over-max ENOMEM /img/memcg-zstd.efi base+$((32 << 20)) $((64 << 20))"
		echo "mc memcg-stock-control 0 /img/memcg-stock.bzImage $((3 << 20)) $((6 << 20))"
	} >"$work/memcg"
	cat "$work/memcg" "$work/root/unlocked" >"$work/unlocked"
	mv "$work/unlocked" "$work/root/unlocked"
	cat >>"$work/root/unlocked" <<'EOF'
t s-real-zboot-badsize EINVAL /img/s/real-zboot-badsize.efi
t s-unsigned-unlocked 0 /img/s-unsigned.efi
p s-crash-unsigned-unlocked 0 /img/s-unsigned.efi
p s-crash-real-uki-unlocked 0 /img/s/real-uki.efi
EOF
	cat >>"$work/root/locked" <<'EOF'
race race-real-nested /img/real-nested.efi
ta /vm_attack_inject.bpf.o inject-cmdline 0 /img/signed.efi
e kfunc-atomic /vm_attack_atomic.bpf.o 'is sleepable but the program is not'
e helper-unbounded /vm_attack_helper.bpf.o 'unknown func bpf_probe_read_kernel_str'
e helper-frame /vm_attack_frame.bpf.o 'unknown func bpf_get_func_arg'
ks kselftest-kexec-bpf /img/signed.efi
p crash-signed 0 /img/signed.efi
EOF
	cat >"$work/mix" <<'EOF'
t s-real-uki 0 /img/s/real-uki.efi
t s-corrupt-gzip EBADMSG /img/s-corrupt-gzip.efi
p s-crash-signed 0 /img/s-signed.efi
t s-real-zboot-gzip 0 /img/s/real-zboot-gzip.efi
t s-unsigned EPERM /img/s-unsigned.efi
t s-real-zboot-zstd22 0 /img/s/real-zboot-zstd22.efi
t s-truncated-zstd EBADMSG /img/s-truncated-zstd.efi
t s-user-cmdline EPERM /img/s-signed.efi - 'console=ttyS0 evil=1'
t s-real-zboot-xzkern 0 /img/s/real-zboot-xzkern.efi
t s-no-progress ENOEXEC /img/s-noprogress.efi
ta /vm_attack_inject.bpf.o s-inject-cmdline 0 /img/s-signed.efi
t s-real-zboot-lz4 0 /img/s/real-zboot-lz4.efi
t s-bad-command EINVAL /img/s-badcmd.efi
t s-tampered EPERM /img/s-tampered.efi
t s-real-nested 0 /img/s/real-nested.efi
t s-probe-outside EINVAL /img/s-probe-stack.efi
p s-crash-real-nested 0 /img/s/real-nested.efi
t s-untrusted EPERM /img/s-untrusted.efi
t s-user-initrd EPERM /img/s-signed.efi /user.initrd
t declared-1g EFBIG /img/zstd-1g.efi
t s-user-cmdline-same 0 /img/s-signed.efi - '  console=ttyS0   panic=-1 pksoak.second=1 '
p s-crash-unsigned EPERM /img/s-unsigned.efi
t s-signed 0 /img/s-signed.efi
EOF
	# the cheap loads between (vm_cheap_images: the upstream-style
	# zboot program, 163 instructions to verify): every compression,
	# a -p load, a corrupt payload, unsigned and tampered images, and a
	# user command line and initrd next to a signed image that has
	# neither (DESIGN.md 4: the user's are used)
	cat >"$work/cheap" <<'EOF'
t c-zboot-gzip 0 /img/c-zboot-gzip.efi
t c-unsigned EPERM /img/c-unsigned.efi
t c-zboot-zstd22 0 /img/c-zboot-zstd22.efi
t c-tampered EPERM /img/c-tampered.efi
t c-zboot-xzkern 0 /img/c-zboot-xzkern.efi
t c-corrupt-gzip EBADMSG /img/c-corrupt-gzip.efi
t c-zboot-lz4 0 /img/c-zboot-lz4.efi
t c-user-cmdline 0 /img/c-zboot-gzip.efi - 'console=ttyS0 pksoak.user=1'
p c-crash-zboot-zstd22 0 /img/c-zboot-zstd22.efi
t c-user-initrd 0 /img/c-zboot-lz4.efi /user.initrd
EOF
	if [ -n "${SOAK_SMALL_ONLY:-}" ]; then
		# only the small loads after the fixed part: their cost on
		# the debug kernel; not a soak
		: >"$work/root/unlocked"
		: >"$work/root/locked"
	fi
	if [ -n "${SOAK_MEMCG_ONLY:-}" ]; then
		# the memcg test alone (minutes): not a soak
		cp "$work/memcg" "$work/root/unlocked"
		: >"$work/root/locked"
		loads=$(nloads <"$work/memcg")
	fi
	fixed=$(cat "$work/root/unlocked" "$work/root/locked" | nloads)
	[ "$loads" -ge "$fixed" ] || {
		echo "soak-run.sh: SOAK_LOADS must be at least $fixed" >&2
		exit 2
	}
	nmix=$(wc -l <"$work/mix") ncheap=$(wc -l <"$work/cheap")
	i=0 m=0 c=0
	while [ $((fixed + i)) -lt "$loads" ]; do
		if [ $((i % 300)) -eq 150 ]; then
			# pk-race's three attackers share the one CPU: ~15 s a
			# load on the normal kernel, so rarely
			echo "race s-race-signed /img/s-signed.efi"
		elif [ $((i % mix_every)) -eq $((mix_every - 1)) ]; then
			sed -n "$((m % nmix + 1))p" "$work/mix"
			m=$((m + 1))
		else
			sed -n "$((c % ncheap + 1))p" "$work/cheap"
			c=$((c + 1))
		fi
		i=$((i + 1))
	done >>"$work/root/locked"
fi
per_cycle=$(cat "$work/root/unlocked" "$work/root/locked" | nloads)

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
ln -sf busybox "$root/bin/sh"
cp "$work/pk-kexec-file" "$root/bin/"
if [ -n "$loads" ]; then
	cp "$work/pk-race" "$work/pk-bpf-check" "$work/kexec_bpf_selftest" \
		"$root/bin/"
	cp "$work"/vm_attack_*.bpf.o "$root/"
fi
cp "$top/tests/vm/soak-init.sh" "$root/init"
chmod +x "$root/init"
cp -r "$img" "$root/img"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
	>"$work/initramfs.cpio"
t1=$(date +%s)
echo "soak: images and initramfs: $((t1 - t0))s ($(du -sh \
	"$work/initramfs.cpio" | cut -f1)); $cycles cycles of $per_cycle loads"
# -p (KEXEC_FILE_ON_CRASH) loads need reserved memory
crash=
[ -z "$loads" ] || crash=crashkernel=256M

log=$work/serial.log
rc=0
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -m "${VM_MEM:-3072}" \
	-smp 1 -display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 rdinit=/init ignore_loglevel soak.cycles=$cycles $crash" ||
	rc=$?
t2=$(date +%s)
echo "soak: QEMU $((t2 - t1))s (exit $rc)"
else
	log=$work/serial.log
	per_cycle=$(cat "$work/root/unlocked" "$work/root/locked" | nloads)
fi

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
# KASAN's own banner is the one harmless match.  Between MEMCG-BEGIN and
# MEMCG-END a charge over memory.max makes the kernel print stacks (the
# memcg OOM report "no killable processes", vmalloc's "failed to allocate
# pages"): those "Call Trace:" lines alone are expected there, listed apart.
awk -v traces="$work/memcg-traces" '
	/^PKSOAK MEMCG-BEGIN/ { w = 1 } /^PKSOAK MEMCG-END/ { w = 0 }
	w && /Call Trace:/ { print NR ": " $0 >traces; print ""; next }
	{ print }' "$clean" >"$work/scan.txt"
grep -nE "$reports" "$work/scan.txt" |
	grep -v 'KernelAddressSanitizer initialized' >"$work/reports" || true
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
if [ -n "$loads" ]; then
	grep '^PKSOAK MEMCG ' "$clean" || true
	[ -n "$harness_only$SOAK_SMALL_ONLY" ] || [ "$(grep -c '^PKSOAK MEMCG ' "$clean")" = 6 ] ||
		bad "the memcg test did not run (6 'PKSOAK MEMCG' lines)"
	[ ! -s "$work/memcg-traces" ] ||
		echo "soak: $(wc -l <"$work/memcg-traces") stack(s) printed while a memcg load was over memory.max (expected)"
	grep -h 'vmalloc error\|oom-killer\|no killable' "$clean" | sort | uniq -c | head -n 5 || true
	awk '/^PKSOAK L / { n[$3]++; t[$3] += $5; all += $5; k++ }
	END {
		for (x in n)
			printf "soak: %-28s %4d loads, %6.1f s each\n", x, n[x], t[x] / n[x]
		printf "soak: %d loads, %.0f s in the calls (%.1f s each)\n", k, all, all / k
	}' "$clean" | sort -k3
fi
[ -n "$loads" ] || awk '/^PKSOAK CYCLE/ { d = $6 - $5; t[$3] += d; k[$3]++; all += d; n++ }
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
