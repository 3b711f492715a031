#!/bin/bash
# SPDX-License-Identifier: MIT
# b-kernel-arm64.sh - the price of the KEXEC_BPF path on arm64 (issue #6):
# inside qemu-system-aarch64 (TCG, -M virt, 1 vCPU), booted on the patched
# arm64 kernel ($BUILD/kernel/arm64, `make kernel ARCH=arm64`; with
# KSERIES=6.12, $BUILD/kernel-6.12/arm64, `make kernel ARCH=arm64
# KSERIES=6.12`: bench/b-kernel-arm64-6.12.sh) with
# lockdown=integrity, the time of kexec_file_load(2) of
#   - the build's signed zboot vmlinuz.efi with .bpf (signature check of
#     the envelope, parser program loaded and run, gzip decompressed in
#     the kernel, then the arm64 Image loader), against
#   - the same build's decompressed Image, signed, through the stock arm64
#     Image loader (signature check and load only).
# Guest clock (CLOCK_MONOTONIC around open() + kexec_file_load(), static
# tests/vm/arm64-kexec-time.c), best and median of 5 each.  TCG makes every
# number several times a real machine's; the ratio is what to read.
# Without the patched kernel (or QEMU, the cross compiler) it prints one
# "skipped: ..." row and exits 0.
set -eu
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/vm-lib.sh"
kseries=${KSERIES:-6.1}
kout=$(vm_kernel_out "$kseries") ||
	{ echo "b-kernel-arm64: unknown KSERIES '$kseries'" >&2; exit 2; }
sfx=$([ "$kseries" = 6.1 ] || echo " $kseries")
name="kexec_file_load arm64$sfx: KEXEC_BPF zboot / stock Image"
kdir=$kout/arm64
keys=$kout/keys
skipped() { row "$name" "-" "" "skipped: $*"; exit 0; }
[ -f "$kdir/Image" ] && [ -f "$kdir/vmlinuz.efi" ] && [ -f "$keys/test.key" ] &&
	grep -qx 'CONFIG_KEXEC_BPF=y' "$kdir/.config" 2>/dev/null ||
	skipped "no patched arm64 kernel in $kdir (make kernel ARCH=arm64$([ "$kseries" = 6.1 ] || echo " KSERIES=$kseries"))"
command -v qemu-system-aarch64 >/dev/null || skipped "qemu-system-aarch64 missing"
command -v aarch64-linux-gnu-gcc >/dev/null || skipped "aarch64-linux-gnu-gcc missing"
bb=$(vm_busybox_arm64 2>/dev/null) || skipped "no arm64 busybox (scripts/deps.sh ensure arm64)"
runs=${BENCH_KEXEC_RUNS:-5}

cd "$BENCH_WORK"
mkdir -p "kernel-arm64-$kseries" && cd "kernel-arm64-$kseries"
image=$kdir/Image
sign=(--key "$keys/test.key" --cert "$keys/test.crt")
rm -rf root && mkdir -p root/bin root/img
"$PEKEXEC" add-bpf "$kdir/vmlinuz.efi" zboot-bpf.efi >/dev/null
"$PEKEXEC" sign "${sign[@]}" zboot-bpf.efi root/img/zboot.efi >/dev/null
"$PEKEXEC" sign "${sign[@]}" "$image" root/img/Image.signed >/dev/null
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o root/bin/arm64-kexec-time \
	"$TOP/tests/vm/arm64-kexec-time.c"
vm_cached_cpio "busybox-arm64-$(sha256sum "$bb" | cut -c1-12)" base.cpio vm_root_foreign "$bb"
cat >root/init <<EOF
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
echo "PKBENCH lockdown \$(cat /sys/kernel/security/lockdown)"
# one untimed load each first (page cache, first-use allocations)
arm64-kexec-time 1 /img/zboot.efi console=ttyAMA0 >/dev/null
arm64-kexec-time 1 /img/Image.signed console=ttyAMA0 >/dev/null
echo "PKBENCH bpf \$(arm64-kexec-time $runs /img/zboot.efi console=ttyAMA0)"
echo "PKBENCH stock \$(arm64-kexec-time $runs /img/Image.signed console=ttyAMA0)"
poweroff -f
EOF
chmod +x root/init
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
VM_MEM=1536 vm_boot_arm64 serial.log 1200 "$image" initramfs.cpio \
	"console=ttyAMA0 panic=-1 loglevel=4 lockdown=integrity"
field() { vm_grep serial.log "^PKBENCH $1 " | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }
b=$(field bpf best_ms) bm=$(field bpf median_ms) s=$(field stock best_ms) sm=$(field stock median_ms)
vm_grep serial.log '^PKBENCH lockdown .*\[integrity\]' >/dev/null &&
	[ -n "$b" ] && [ -n "$s" ] || {
	echo "b-kernel-arm64: guest did not report both timings (qemu exit $VM_RC):" >&2
	vm_log_tail serial.log 40 >&2
	exit 1
}
zk=$(($(stat -c %s root/img/zboot.efi) >> 10)) ik=$(($(stat -c %s root/img/Image.signed) >> 10))
row "kexec_file_load arm64$sfx TCG: signed zboot ${zk} KiB via KEXEC_BPF" "$b" "ms" \
	"best of $runs (median $bm); .bpf program + in-kernel gzip + Image loader"
row "kexec_file_load arm64$sfx TCG: signed Image ${ik} KiB, stock loader" "$s" "ms" \
	"best of $runs (median $sm); lockdown=integrity for both"
row "$name" "$(bench_ratio "$b" "$s")" "x" "guest clock; VM boot+runs ${VM_SECONDS}s"
