#!/bin/bash
# SPDX-License-Identifier: MIT
#
# demo-act.sh - the QEMU act of `make demo` (called at the end of
# scripts/demo.sh): boot Debian's stock kernel on TCG, `pekexec load` a
# signed UKI (built from the same kernel, with its own initrd and command
# line), `pekexec exec`, and show both kernels' banners and the second
# kernel's /proc/cmdline from the serial log.
#
#   demo-act.sh BUILD WORKDIR KEY CERT
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$1 work=$2 key=$3 cert=$4
export BUILD
. "$top/tests/lib/vm-lib.sh"
pk=$BUILD/pekexec
images=$BUILD/images
if ! command -v qemu-system-x86_64 >/dev/null || ! command -v busybox >/dev/null; then
	echo "(skipped: qemu-system-x86 / busybox-static not installed: scripts/deps.sh ensure qemu)"
	exit 0
fi
mkdir -p "$work"
cd "$work"
second_root() {
	vm_root "$1"
	cp "$top/tests/e2e/second-init.sh" "$1/init"
}
vm_cached_cpio "second-$(sha256sum "$top/tests/e2e/second-init.sh" | cut -c1-12)" \
	second.cpio second_root
vm_cached_cpio busybox base.cpio vm_root

cmdline="console=ttyS0 panic=-1 loglevel=6 pekexec.demo=kexeced"
printf '$ pekexec build-uki --linux vmlinuz --initrd second.cpio --cmdline "%s" --key ... -o vm.efi\n' "$cmdline"
"$pk" build-uki --linux "$images/vmlinuz-amd64" --initrd second.cpio --cmdline "$cmdline" \
	--key "$key" --cert "$cert" -o vm.efi

rm -rf root
mkdir -p root/img
vm_add_binary root "$pk" /bin/pekexec
cp vm.efi root/img/
cp "$cert" root/img/demo.crt
cat >root/init <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /etc/pekexec/trust.d && cp /img/demo.crt /etc/pekexec/trust.d/
echo "PKVM FIRST cmdline=[$(cat /proc/cmdline)]"
echo '# pekexec load --verify require /img/vm.efi'
pekexec -v load --verify require /img/vm.efi || { echo "PKVM load failed"; poweroff -f; }
echo '# pekexec exec'
pekexec exec
poweroff -f
INIT
chmod +x root/init
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
echo "booting Debian's kernel in QEMU (TCG, no KVM: about a minute or two)..."
vm_boot_x86 serial.log "${DEMO_VM_TIMEOUT:-600}" "$images/vmlinuz-amd64" initramfs.cpio \
	"console=ttyS0 panic=-1 loglevel=6"
echo "QEMU ran ${VM_SECONDS} s (exit $VM_RC); from the serial log ($work/serial.log):"
tr -d '\r' <serial.log | grep -E 'Linux version|^PKVM|^# pekexec|pekexec: load' |
	sed -e 's/^\[ *[0-9.]*\] //' -e 's/^/  /'
if ! tr -d '\r' <serial.log | grep -qxF "PKVM SECOND cmdline=[$cmdline]"; then
	echo "the second kernel did not report the UKI's command line"
	vm_log_tail serial.log 60
	exit 1
fi
echo "The second kernel booted with the UKI's own command line and initrd."
