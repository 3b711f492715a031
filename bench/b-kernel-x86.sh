#!/bin/bash
# SPDX-License-Identifier: MIT
# b-kernel-x86.sh - the price of the KEXEC_BPF path on x86_64 (issue #6):
# inside qemu-system-x86_64 (TCG, 1 vCPU), booted on the patched kernel
# ($BUILD/kernel/x86_64, `make kernel`) with lockdown=integrity, the time of
# kexec_file_load(2) of
#   - a signed UKI made by `pekexec build-uki` (the built-in uki parser):
#     the kernel checks the envelope's signature, loads and runs the .bpf
#     program, which hands over .linux/.initrd/.cmdline, then the bzImage64
#     loader; against
#   - the same bzImage, signed with the same key, plus the same initrd and
#     command line given separately, through the stock bzImage64 loader
#     (signature check and load only).
# Guest clock (/proc/uptime, 10 ms, around tests/vm/pk-kexec-file), one
# untimed load of each first, then best of BENCH_KEXEC_RUNS (3) each,
# KEXEC_FILE_UNLOAD after every load.  TCG makes every number several times
# a real machine's; the ratio is what to read.
# Without the patched kernel (or QEMU) it prints one "skipped: ..." row and
# exits 0.
set -eu
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/vm-lib.sh"
name="kexec_file_load x86_64: KEXEC_BPF UKI / stock bzImage"
kdir=$BUILD/kernel/x86_64
keys=$BUILD/kernel/keys
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
skipped() { row "$name" "-" "" "skipped: $*"; exit 0; }
[ -f "$kdir/bzImage" ] && [ -f "$keys/test.key" ] &&
	grep -qx 'CONFIG_KEXEC_BPF=y' "$kdir/.config" 2>/dev/null ||
	skipped "no patched x86_64 kernel in $kdir (make kernel)"
command -v qemu-system-x86_64 >/dev/null || skipped "qemu-system-x86_64 missing"
command -v sbsign >/dev/null || skipped "sbsign missing"
[ -f "$stub" ] || skipped "$stub missing (systemd-boot-efi)"
runs=${BENCH_KEXEC_RUNS:-3}

cd "$BENCH_WORK"
mkdir -p kernel-x86 && cd kernel-x86
rm -rf root && mkdir -p root/bin root/img
kernel=$kdir/bzImage
head -c $((16 << 20)) /dev/urandom >initrd.img
cmdline="console=ttyS0 panic=-1 bench=1"
"$PEKEXEC" build-uki --linux "$kernel" --initrd initrd.img --cmdline "$cmdline" \
	--stub "$stub" --key "$keys/test.key" --cert "$keys/test.crt" \
	-o root/img/uki.efi >/dev/null
sbsign --key "$keys/test.key" --cert "$keys/test.crt" \
	--output root/img/bzImage.signed "$kernel" >/dev/null 2>&1
cp initrd.img root/img/initrd
gcc -static -O2 -Wall -Wextra -Werror -o root/bin/pk-kexec-file \
	"$TOP/tests/vm/pk-kexec-file.c"
vm_cached_cpio busybox base.cpio vm_root
cat >root/init <<EOF
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
echo "PKBENCH lockdown \$(cat /sys/kernel/security/lockdown)"
up() { cut -d' ' -f1 /proc/uptime; }
best() { # name pk-kexec-file load arguments...
	name=\$1; shift; b=; all=
	pk-kexec-file load "\$@" >/dev/null; pk-kexec-file unload >/dev/null
	for i in \$(seq $runs); do
		s=\$(up); r=\$(pk-kexec-file load "\$@"); e=\$(up)
		[ "\$r" = errno=0 ] || echo "PKBENCH FAIL \$name \$r"
		pk-kexec-file unload >/dev/null
		d=\$(awk "BEGIN { printf \"%.2f\", \$e - \$s }")
		all="\$all \$d"
		if [ -z "\$b" ] || awk "BEGIN { exit !(\$d < \$b) }"; then b=\$d; fi
	done
	echo "PKBENCH \$name \$b (\$all )"
}
best bpf /img/uki.efi
best stock /img/bzImage.signed /img/initrd "$cmdline"
poweroff -f
EOF
chmod +x root/init
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
VM_MEM=1536 vm_boot_x86 serial.log 1200 "$kernel" initramfs.cpio \
	"console=ttyS0 panic=-1 loglevel=4 lockdown=integrity"
field() { vm_grep serial.log "^PKBENCH $1 [0-9]" | cut -d' ' -f3; }
runs_of() { vm_grep serial.log "^PKBENCH $1 [0-9]" | sed 's/.*(\(.*\) )/\1/'; }
b=$(field bpf) s=$(field stock)
vm_grep serial.log '^PKBENCH lockdown .*\[integrity\]' >/dev/null &&
	! vm_grep serial.log '^PKBENCH FAIL' >/dev/null &&
	[ -n "$b" ] && [ -n "$s" ] || {
	echo "b-kernel-x86: guest did not report both timings (qemu exit $VM_RC):" >&2
	vm_log_tail serial.log 40 >&2
	exit 1
}
uk=$(($(stat -c %s root/img/uki.efi) >> 10)) bk=$(($(stat -c %s root/img/bzImage.signed) >> 10))
row "kexec_file_load x86_64 TCG: signed UKI ${uk} KiB via KEXEC_BPF" "$b" "s" \
	"best of $runs (runs:$(runs_of bpf)); .bpf uki parser + bzImage64 loader"
row "kexec_file_load x86_64 TCG: signed bzImage ${bk} KiB + 16 MiB initrd, stock" \
	"$s" "s" "best of $runs (runs:$(runs_of stock)); lockdown=integrity for both"
row "$name" "$(bench_ratio "$b" "$s")" "x" "guest clock; VM boot+runs ${VM_SECONDS}s"
