#!/bin/bash
# SPDX-License-Identifier: MIT
# b-load.sh - inside a QEMU guest (TCG, Debian's stock kernel): wall time
# from the start of `pekexec load` of a signed UKI to the return of
# kexec_file_load(2), against kexec-tools HEAD (bench/peers.sh: built from
# source, static) `kexec -s -l` of the same UKI, and of the bzImage and
# initrd already extracted from it (the floor: the kernel's own work plus
# reading the files).  Min and median of 5 each, guest clock (10 ms);
# TCG makes every number several times a real machine's, the ratio is what
# to read.  Without kexec-tools' source in the cache: one SKIP row.
set -eu
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/vm-lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 missing" >&2; exit 1; }
bench_peer kx kexec-tools "load in QEMU/TCG: kexec-tools HEAD" || exit 0
commit=$("$TOP/bench/peers.sh" info kexec-tools | cut -d' ' -f2 | cut -c1-12)
cd "$BENCH_WORK"
mkdir -p load && cd load
kernel=$IMAGES/vmlinuz-amd64

head -c $((16 << 20)) /dev/urandom >initrd.img
openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=bench/" -days 2 \
	-keyout b.key -out b.crt 2>/dev/null
cmdline="console=ttyS0 bench=1"
"$PEKEXEC" build-uki --linux "$kernel" --initrd initrd.img --cmdline "$cmdline" \
	--key b.key --cert b.crt -o uki.efi >/dev/null
"$PEKEXEC" extract --verify off -o out uki.efi >/dev/null

vm_cached_cpio busybox base.cpio vm_root
mkdir -p root/img
vm_add_binary root "$PEKEXEC" /bin/pekexec
vm_add_binary root "$kx" /bin/kexec-tools
cp uki.efi b.crt root/img/
cp out/kernel root/img/kernel
cp out/initrd root/img/initrd
cat >root/init <<EOF2
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
up() { cut -d' ' -f1 /proc/uptime; }
best() { # name cmd...: "PKBENCH name min median" of 5 runs
	name=\$1; shift; all=
	for i in 1 2 3 4 5; do
		s=\$(up); "\$@" >/dev/null 2>&1 || echo "PKBENCH FAIL \$name"; e=\$(up)
		pekexec unload >/dev/null 2>&1
		all="\$all \$(echo "\$e \$s" | awk '{ printf "%.2f", \$1 - \$2 }')"
	done
	echo "PKBENCH \$name \$(echo \$all | tr ' ' '\\n' | sort -n | awk '{ v[NR] = \$1 }
		END { printf "%.2f %.2f", v[1], v[3] }')"
}
best pekexec-require pekexec load --verify require --trust /img/b.crt /img/uki.efi
best pekexec-off pekexec load --verify off /img/uki.efi
best kexec-tools-uki kexec-tools -s -l /img/uki.efi
best kexec-tools kexec-tools -s -l /img/kernel --initrd=/img/initrd --append="$cmdline"
poweroff -f
EOF2
chmod +x root/init
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
VM_MEM=1536 vm_boot_x86 serial.log 1200 "$kernel" initramfs.cpio "console=ttyS0 panic=-1 loglevel=4"
if vm_grep serial.log '^PKBENCH FAIL' >/dev/null; then
	vm_log_tail serial.log 40 >&2
	exit 1
fi
val() { vm_grep serial.log "^PKBENCH $1 " | awk '{print $3, $4}'; }
read -r p pm < <(val pekexec-require)
read -r o om < <(val pekexec-off)
read -r ku kum < <(val kexec-tools-uki)
read -r k km < <(val kexec-tools)
[ -n "$pm" ] && [ -n "$om" ] && [ -n "$kum" ] && [ -n "$km" ] || { vm_log_tail serial.log 40 >&2; exit 1; }
size=$(($(stat -c %s uki.efi) >> 20))
row "load UKI ${size} MiB in QEMU/TCG: pekexec --verify require" "$p" "s" "median ${pm}s; load start to kexec_file_load return"
row "load UKI in QEMU/TCG: pekexec --verify off" "$o" "s" "median ${om}s"
row "load UKI in QEMU/TCG: kexec-tools HEAD -s -l" "$ku" "s" "median ${kum}s; $commit, static"
row "load in QEMU/TCG: kexec-tools HEAD -s -l, parts" "$k" "s" "median ${km}s"
row "load: pekexec require / kexec-tools HEAD (UKI)" "$(bench_ratio "$pm" "$kum")" "x" \
	"of the medians; of the mins $(bench_ratio "$p" "$ku")x; goal <= 1.0; guest clock, 10 ms resolution; VM boot ${VM_SECONDS}s"
