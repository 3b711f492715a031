#!/bin/sh
# SPDX-License-Identifier: MIT
# first-init.sh - /init of the first kernel in tests/t-e2e-kexec.sh: each
# case prints "PKVM PASS name" or "PKVM FAIL name: why" (and the command's
# output); the last one loads the signed UKI and kexecs into it.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
# the trust anchor (not made on the host: a "*.d" directory under $BUILD
# would be taken for a make dependency file)
mkdir -p /etc/pekexec/trust.d && cp /img/e2e.crt /etc/pekexec/trust.d/
mount -t devtmpfs dev /dev 2>/dev/null
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
echo "PKVM INFO lockdown=$(cat /sys/kernel/security/lockdown 2>&1)"
echo "PKVM INFO kexec_loaded=$(cat /sys/kernel/kexec_loaded)"

. /lib/pkvm-expect.sh

# a plain bzImage, no .bpf: passed through with the user's initrd and cmdline
expect passthrough-load 0 "" pekexec load --initrd /img/second.cpio --append "console=ttyS0" /img/vmlinuz
expect passthrough-status 0 "" kexec -S
expect passthrough-unload 0 "" pekexec unload
expect passthrough-unloaded 1 "" kexec -S

# the user's command line: accepted without enforcement, refused under it
expect cmdline-verify-off 0 "" pekexec load --verify off --append "pke2e.user=1" /img/signed.efi
expect cmdline-verify-auto 0 "" pekexec load --append "pke2e.user=1" /img/signed.efi
expect cmdline-verify-require 8 "" pekexec load --verify require --append "pke2e.user=1" /img/signed.efi
expect unload-1 0 "" pekexec unload

# a tampered image: refused when signatures are checked
expect tampered-require 5 "" pekexec load --verify require /img/tampered.efi
expect tampered-auto 5 "" pekexec load /img/tampered.efi
expect nothing-loaded 1 "" kexec -S

# crash kernel without a crashkernel= reservation: the advice says so
expect crash-no-reservation 1 "crashkernel=" pekexec load -p /img/signed.efi

# kexec-tools' command line (pekexec run as "kexec")
expect compat-load 0 "" kexec -s -l /img/signed.efi
expect compat-status 0 "" kexec -S
expect compat-unload 0 "" kexec -u
expect compat-unloaded 1 "" kexec -S
expect compat-systemd 0 "" kexec --load /img/vmlinuz --append "console=ttyS0" --initrd /img/second.cpio
expect compat-unload-2 0 "" kexec -u

# the real thing: load the signed UKI from its ESP, with the add-on and
# the credential systemd-stub would pick up there, and kexec into it
expect final-load 0 "" pekexec load --verify require --esp /img/esp -d /img/esp/EFI/Linux/signed.efi
echo "PKVM EXEC uptime=$(cut -d" " -f1 /proc/uptime)"
pekexec exec
echo "PKVM FAIL exec: returned $?"
poweroff -f
