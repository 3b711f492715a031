#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-e2e-secureboot.sh - Secure Boot end to end, from real Debian parts:
# OVMF with Secure Boot enforcing and Debian's snakeoil keys enrolled
# (package ovmf), q35 with SMM under TCG, an ESP (GPT) whose
# EFI/BOOT/BOOTX64.EFI is a UKI of Debian's kernel (the kernel and the UKI
# signed with the snakeoil key by sbsign, Debian's signature kept), a root
# disk made by mmdebstrap (bookworm, systemd 252 as PID 1; cached under
# $VM_CACHE by the hash of tests/e2e/sb-rootfs.sh), pekexec as /sbin/kexec
# and the snakeoil certificate in /etc/pekexec/trust.d.
#
# One VM walks the chain (tests/e2e/sb-guest.sh, run by systemd on every
# boot; tests/e2e/sb-init.sh, the initrd, reports every boot):
#   firmware -> UKI 1 -> systemd: Secure Boot on, lockdown=integrity;
#     case 3: a UKI with one byte of .cmdline changed (5), unsigned (4),
#     signed by an untrusted key (6), another command line (8), the
#     tampered one in systemd's argv (5): nothing loaded
#     (/sys/kernel/kexec_loaded);
#     case 1: `systemctl kexec` of ESP/EFI/Linux/pksb-2.efi (Type #2) ->
#   UKI 2 -> systemd: case 2: pekexec load --verify require + exec ->
#   UKI 2 -> systemd: case 4: pekexec load -p, crash -> capture kernel.
# Oracles: the guest's exit codes and the kernel's kexec_loaded, and each
# boot's /proc/cmdline and initrd marker against what the host put into
# the UKIs.
set -euo pipefail
. "$TOP/tests/lib/vm-lib.sh"
vm_require_qemu x86_64
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
so_key=/usr/share/ovmf/PkKek-1-snakeoil.key
so_cert=/usr/share/ovmf/PkKek-1-snakeoil.pem
for f in "$ovmf_code" "$ovmf_vars" "$so_key" "$so_cert"; do
	[ -r "$f" ] || { echo "SKIP: $f missing (scripts/deps.sh ensure qemu)"; exit 77; }
done
for c in mmdebstrap mkfs.vfat mcopy sbsign sfdisk mke2fs openssl depmod modprobe dpkg-deb bc; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not installed (scripts/deps.sh ensure test qemu)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: mmdebstrap --mode=root and mke2fs -d need root"; exit 77; }
pk=${PEKEXEC_FAST:-$BUILD/pekexec}
[ -x "$pk" ] || { echo "FAIL: $pk not built"; exit 1; }
kernel=$IMAGES/vmlinuz-amd64
deb=$IMAGES/vmlinuz-amd64.deb
[ -s "$deb" ] || { echo "FAIL: $deb missing (make images)"; exit 1; }
timeout_s=${E2E_TIMEOUT:-1200}
work=$PWD
t_start=$(date +%s)

# the root disk, cached: a cold build is mmdebstrap's download and install
mkdir -p "$VM_CACHE"
rootimg=$VM_CACHE/sb-rootfs-$(sha256sum "$TOP/tests/e2e/sb-rootfs.sh" | cut -c1-12).img
if [ ! -s "$rootimg" ]; then
	t0=$(date +%s)
	# older recipes' disks are of no use any more
	find "$VM_CACHE" -maxdepth 1 -name 'sb-rootfs-*.img' -delete
	sh "$TOP/tests/e2e/sb-rootfs.sh" "$rootimg.new.$$" ||
		{ rm -f "$rootimg.new.$$"; echo "FAIL: mmdebstrap (tests/e2e/sb-rootfs.sh)"; exit 1; }
	mv "$rootimg.new.$$" "$rootimg"
	echo "root disk: built by mmdebstrap in $(($(date +%s) - t0)) s (cached: $rootimg)"
else
	echo "root disk: cached $rootimg"
fi

# Debian's modules for virtio disks, ext4 and vfat (the package of the
# very kernel), in modprobe's order
_sb_modules() {
	local tmp=$1/x v m
	mkdir -p "$tmp" "$1/modules"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./lib/modules
	v=$(ls "$tmp/lib/modules")
	depmod -b "$tmp" "$v"
	for m in virtio_pci virtio_blk ext4 vfat nls_cp437 nls_ascii nls_utf8 efivarfs; do
		modprobe -d "$tmp" -S "$v" --show-depends "$m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r m; do
		cp "$m" "$1/modules/"
		basename "$m" >>"$1/modules/order"
	done
	rm -rf "$tmp"
}
vm_cached_cpio "sb-modules-$({ sha256sum "$deb"; declare -f _sb_modules; } | sha256sum | cut -c1-12)" \
	modules.cpio _sb_modules

# keys: the snakeoil one the firmware trusts (its key file is encrypted
# with the password "snakeoil"), and one nobody trusts
openssl pkey -in "$so_key" -passin pass:snakeoil -out snakeoil.key
openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=pekexec untrusted/" -days 2 \
	-keyout other.key -out other.crt 2>/dev/null
sbsign_so() { sbsign --key snakeoil.key --cert "$so_cert" --output "$2" "$1" >/dev/null 2>&1; }

# the initrd: busybox, modules, /init, and (UKI 1 only: it is installed
# on the first boot) the payload for the root disk
vm_cached_cpio busybox base.cpio vm_root
mkdir -p init
install -m 755 "$TOP/tests/e2e/sb-init.sh" init/init
vm_cpio init init.cpio
mkdir -p run/payload/usr/sbin run/payload/usr/local/sbin run/payload/etc/pekexec/trust.d \
	run/payload/etc/systemd/system/multi-user.target.wants run/payload-libs
cp "$pk" run/payload/usr/sbin/kexec
ln -s kexec run/payload/usr/sbin/pekexec
# (not the dynamic loader: every Debian root has it, at the path binaries name)
for lib in $(ldd "$pk" | grep -o '/[^ ]*' | grep -v '/ld-linux'); do
	mkdir -p "run/payload-libs$(dirname "$lib")"
	cp -L "$lib" "run/payload-libs$lib"
done
install -m 755 "$TOP/tests/e2e/sb-guest.sh" run/payload/usr/local/sbin/pksb-guest
install -D -m 644 "$TOP/tests/e2e/expect.sh" run/payload/usr/local/lib/pkvm-expect.sh
cp "$TOP/tests/e2e/sb-guest.service" run/payload/etc/systemd/system/pksb.service
ln -s ../pksb.service run/payload/etc/systemd/system/multi-user.target.wants/pksb.service
# the serial console is the test's: no login prompts on it
ln -s /dev/null run/payload/etc/systemd/system/serial-getty@ttyS0.service
ln -s /dev/null run/payload/etc/systemd/system/getty@tty1.service
cp "$so_cert" run/payload/etc/pekexec/trust.d/snakeoil.pem
vm_cpio run run.cpio
for n in 1 2; do
	mkdir -p marker-$n
	echo "initrd-of-uki-$n" >marker-$n/pksb-marker
	vm_cpio marker-$n marker-$n.cpio
done
cat base.cpio modules.cpio init.cpio run.cpio marker-1.cpio >initrd-1.cpio
cat base.cpio modules.cpio init.cpio marker-2.cpio >initrd-2.cpio

# the kernel: signed with the snakeoil key first, Debian's signature kept
# after it.  Order matters: the kernel's kexec_file_load checks the first
# signature only, against its keyrings, and only the firmware's db (the
# .platform keyring: snakeoil) vouches here; there is no shim to put
# Debian's CA into MokListRT.  The firmware accepts any db signature.
sbattach --detach debian.sig --signum 1 "$kernel" >/dev/null
cp "$kernel" linux.efi
sbattach --remove linux.efi >/dev/null
sbsign_so linux.efi linux.efi
sbattach --attach debian.sig linux.efi >/dev/null 2>&1
sbverify --list linux.efi >linux.sigs
# (grep -q in a pipe: the writer may die of SIGPIPE, and pipefail counts it)
grep -A4 '^signature 1' linux.sigs | grep SnakeOil >/dev/null && grep -A4 '^signature 2' linux.sigs |
	grep 'Debian Secure Boot Signer' >/dev/null || { echo "FAIL: linux.efi signatures:"; cat linux.sigs; exit 1; }
cmdline_1="console=ttyS0 loglevel=4 systemd.show_status=0 panic=-1 crashkernel=256M pksb.uki=1"
cmdline_2="console=ttyS0 loglevel=4 systemd.show_status=0 panic=-1 crashkernel=256M nr_cpus=1 pksb.uki=2"
printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="pekexec Secure Boot test"\n' >os-release
for n in 1 2; do
	eval "c=\$cmdline_$n"
	"$pk" build-uki --linux linux.efi --initrd initrd-$n.cpio --cmdline "$c" \
		--os-release os-release --stub "$IMAGES/linuxx64.efi.stub" -o unsigned-$n.efi
	sbsign_so unsigned-$n.efi uki-$n.efi
	sbverify --cert "$so_cert" uki-$n.efi >/dev/null
done
sbsign --key other.key --cert other.crt --output untrusted.efi unsigned-2.efi >/dev/null 2>&1
# one byte of the signed .cmdline
cp uki-2.efi tampered.efi
off=$(grep -abo "pksb.uki=2" tampered.efi | head -n1 | cut -d: -f1)
printf '3' | dd of=tampered.efi bs=1 seek=$((off + 9)) conv=notrunc status=none
if sbverify --cert "$so_cert" tampered.efi >/dev/null 2>&1; then
	echo "FAIL: sbverify accepts the tampered UKI"
	exit 1
fi

# the ESP: GPT, one EFI System Partition (what `systemctl kexec` checks)
esp_mb=160
mkfs.vfat -C -n PKSB-ESP esp.part $((esp_mb * 1024)) >/dev/null
mmd -i esp.part ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/pksb
mcopy -i esp.part uki-1.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i esp.part uki-2.efi ::/EFI/Linux/pksb-2.efi
mcopy -i esp.part tampered.efi untrusted.efi ::/pksb/
mcopy -i esp.part unsigned-2.efi ::/pksb/unsigned.efi
printf '%s' "$cmdline_2" >cmdline-2
mcopy -i esp.part cmdline-2 ::/pksb/cmdline-2
truncate -s $((esp_mb + 2))M esp.img
echo "label: gpt
start=2048, size=$((esp_mb * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=ESP" |
	sfdisk -q esp.img
dd if=esp.part of=esp.img bs=1M seek=1 conv=notrunc status=none
rm esp.part
cp "$ovmf_vars" vars.fd
t_prep=$(($(date +%s) - t_start))

log=$work/serial.log
t0=$(date +%s.%N)
VM_RC=0
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -machine q35,smm=on \
	-global driver=cfi.pflash01,property=secure,value=on \
	-drive if=pflash,format=raw,unit=0,file="$ovmf_code",readonly=on \
	-drive if=pflash,format=raw,unit=1,file=vars.fd \
	-m 1024 -smp 1 -display none -monitor none -serial "file:$log" -no-reboot \
	-drive if=none,id=esp,format=raw,file=esp.img \
	-device virtio-blk-pci,drive=esp,bootindex=0 \
	-drive if=none,id=root,format=raw,file="$rootimg",snapshot=on \
	-device virtio-blk-pci,drive=root || VM_RC=$?
VM_SECONDS=$(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f')
echo "prepare: ${t_prep} s; VM: ${VM_SECONDS} s (qemu exit $VM_RC)"
# kept for a look after the run (the runner removes this directory)
cp "$log" "$BUILD/test-logs/t-e2e-secureboot.serial.log" 2>/dev/null || true

fail=0
vm_results "$log" | sed 's/^/    /'
if vm_results "$log" | grep '^FAIL' >/dev/null; then
	echo "FAIL: checks in the guest failed"
	fail=1
fi
for c in secure-boot-on lockdown-integrity tampered-cmdline unsigned untrusted-signer \
	other-cmdline systemd-argv-tampered systemd-argv pekexec-load crash-load; do
	vm_results "$log" | grep -x "PASS $c" >/dev/null || { echo "FAIL: no PASS $c"; fail=1; }
done

# boots: N-th "PKVM BOOT" line
boot() { tr -d '\r' <"$log" | grep '^PKVM BOOT ' | sed -n "${1}p"; }
field() { sed -n "s/.* $1=\\[\\([^]]*\\)\\].*/\\1/p; t; s/.* $1=\\([^ ]*\\).*/\\1/p"; }
check_boot() { # N WHAT STEP MARKER CMDLINE-PATTERN
	local b
	b=$(boot "$1")
	if [ -z "$b" ]; then
		echo "FAIL: $2: no boot #$1"
		fail=1
		return
	fi
	local step marker cmd
	step=$(field step <<<"$b") marker=$(field marker <<<"$b")
	cmd=$(sed -n 's/.* cmdline=\[\(.*\)\]$/\1/p' <<<"$b")
	# shellcheck disable=SC2254
	case "$cmd" in
	$5) ;;
	*) echo "FAIL: $2: /proc/cmdline [$cmd], want [$5]"; fail=1; return ;;
	esac
	if [ "$marker" != "$4" ] || [ "$step" != "$3" ]; then
		echo "FAIL: $2: marker $marker step $step, want $4 $3"
		fail=1
		return
	fi
	# the kernels that run the cases: Secure Boot, and its lockdown (a
	# kexec'ed kernel inherits both through boot_params)
	if [ "$3" != none ] && { [ "$(field sb <<<"$b")" != 1 ] ||
		[ "$(field lockdown <<<"$b")" != integrity ]; }; then
		echo "FAIL: $2: want sb=1 lockdown=integrity: $b"
		fail=1
		return
	fi
	echo "PASS: $2: /proc/cmdline [$cmd], $marker, lockdown=$(field lockdown <<<"$b")"
}
check_boot 1 "firmware boot of UKI 1" first initrd-of-uki-1 "$cmdline_1"
# (not vm_grep: its grep -m1 may leave tr a SIGPIPE, as grep -q would)
if tr -d '\r' <"$log" | grep -x 'PKVM STEP systemctl-kexec' >/dev/null; then
	check_boot 2 "case 1: systemctl kexec" after-systemctl initrd-of-uki-2 "$cmdline_2"
	n=3
else
	echo "FAIL: case 1: systemctl kexec not tried (systemd's argv refused)"
	fail=1
	n=2
fi
check_boot $n "case 2: pekexec load+exec" after-pekexec initrd-of-uki-2 "$cmdline_2"
# x86's kexec_file puts "elfcorehdr=0x... " in front for a crash kernel
check_boot $((n + 1)) "case 4: capture kernel" none initrd-of-uki-2 "elfcorehdr=0x* $cmdline_2"
# the kexec'ed kernels: still under Secure Boot's lockdown?
tr -d '\r' <"$log" | grep '^PKVM BOOT ' | sed 's/ cmdline=.*//; s/^/    /'
# where the VM's time went: each kernel's uptime when it handed over
# (guest clocks); the rest is the firmware, shutdowns and kexec itself
times=$(tr -d '\r' <"$log" | sed -n 's/^PKVM TIME \([0-9.]*\)$/\1/p' | paste -sd+)
last=$(tr -d '\r' <"$log" | grep '^PKVM BOOT ' | tail -n1 | field uptime)
echo "VM ${VM_SECONDS} s: kernels $(echo "${times:-0}+${last:-0}" | bc) s before handing over" \
	"(${times:-none} + ${last:-?}), firmware and the rest $(echo "$VM_SECONDS-(${times:-0}+${last:-0})" | bc) s"
echo "total: $(($(date +%s) - t_start)) s"
if [ "$fail" -ne 0 ]; then
	vm_log_tail "$log" 200
	exit 1
fi
exit 0
