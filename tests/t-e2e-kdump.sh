#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-e2e-kdump.sh - pekexec load -p on Debian's stock kernel in QEMU (TCG),
# and lockdown.  The first kernel boots with crashkernel=256M; its /init
# (tests/e2e/kdump-init.sh) loads the signed UKI as the crash kernel, then
# sets lockdown=integrity and checks that a user command line is refused
# under --verify auto (exit 8) and that the kernel's refusal of an unsigned
# bzImage (sbattach --remove of Debian's vmlinuz) is explained (exit 4);
# then it panics with sysrq-c.  Oracles: the capture kernel's
# /proc/cmdline is the UKI's .cmdline after the elfcorehdr= the kernel adds
# for a crash kernel, and the marker of the UKI's own initrd.
set -euo pipefail
. "$TOP/tests/lib/vm-lib.sh"
vm_require_qemu x86_64
for c in openssl bc sbattach; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not installed"; exit 77; }
done
pk=${PEKEXEC_FAST:-$BUILD/pekexec}
[ -x "$pk" ] || { echo "FAIL: $pk not built"; exit 1; }
kernel=$IMAGES/vmlinuz-amd64

uki_cmdline="console=ttyS0 panic=-1 pke2e.capture=1 nr_cpus=1 irqpoll reset_devices"
vm_signed_uki "$pk" "$kernel" "$uki_cmdline" "pekexec kdump"
cp "$kernel" unsigned-vmlinuz
sbattach --remove unsigned-vmlinuz >/dev/null

mkdir -p root/img
vm_add_binary root "$pk" /bin/pekexec
ln -s pekexec root/bin/kexec
cp "$TOP/tests/e2e/kdump-init.sh" root/init
mkdir -p root/lib && cp "$TOP/tests/e2e/expect.sh" root/lib/pkvm-expect.sh
cp signed.efi unsigned-vmlinuz root/img/
cp e2e.crt root/img/
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio

log=$PWD/serial.log
VM_MEM=1024 vm_boot_x86 "$log" "${E2E_TIMEOUT:-900}" "$kernel" initramfs.cpio \
	"console=ttyS0 panic=-1 loglevel=4 crashkernel=256M"
echo "boot: first kernel, crash load, lockdown checks, panic, capture kernel: ${VM_SECONDS} s (qemu exit $VM_RC)"

fail=0
vm_results "$log" | sed 's/^/    /'
tr -d '\r' <"$log" | grep '^PKVM INFO' | sed 's/^PKVM INFO /    info: /'
want=$(grep -c '^expect ' "$TOP/tests/e2e/kdump-init.sh")
got=$(vm_results "$log" | grep -c '^PASS' || true)
if vm_results "$log" | grep -q '^FAIL' || [ "$got" -ne "$want" ]; then
	echo "FAIL: $got of $want checks passed in the first kernel"
	fail=1
fi
capture=$(vm_grep "$log" '^PKVM SECOND cmdline=' | sed 's/^PKVM SECOND cmdline=\[\(.*\)\]$/\1/') || true
# x86's kexec_file puts "elfcorehdr=0x... " in front for a crash kernel
case "$capture" in
"elfcorehdr=0x"*" $uki_cmdline")
	echo "PASS: capture kernel's /proc/cmdline is elfcorehdr= + the UKI's .cmdline: [$capture]" ;;
*)
	echo "FAIL: capture kernel's /proc/cmdline [$capture], want [elfcorehdr=0x... $uki_cmdline]"
	fail=1 ;;
esac
if vm_grep "$log" '^PKVM SECOND marker=initrd-of-the-uki' >/dev/null; then
	echo "PASS: the capture kernel ran the UKI's own initrd"
else
	echo "FAIL: no marker from the capture kernel"
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	vm_log_tail "$log" 150
	exit 1
fi
exit 0
