#!/bin/sh
# SPDX-License-Identifier: MIT
# kdump-init.sh - /init of the first kernel in tests/t-e2e-kdump.sh: load
# the signed UKI as the crash kernel, raise lockdown to integrity and check
# what is refused then, and crash: the capture kernel (the UKI's kernel
# and initrd) prints its marker and /proc/cmdline.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
# the trust anchor (not made on the host: a "*.d" directory under $BUILD
# would be taken for a make dependency file)
mkdir -p /etc/pekexec/trust.d && cp /img/e2e.crt /etc/pekexec/trust.d/
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null

. /lib/pkvm-expect.sh

expect crash-load 0 "" pekexec load -p --verify require /img/signed.efi
expect crash-status 0 "" kexec -S -p
expect normal-not-loaded 1 "" kexec -S

echo integrity >/sys/kernel/security/lockdown
echo "PKVM INFO lockdown=$(cat /sys/kernel/security/lockdown)"
# auto means require under lockdown: a user command line is refused
expect lockdown-auto-cmdline 8 "" pekexec load --append pke2e.user=1 /img/signed.efi
# the kernel itself refuses an unsigned bzImage, and pekexec says why
expect lockdown-unsigned-bzimage 4 "requires a signed image \(lockdown=integrity\)" \
	pekexec load /img/unsigned-vmlinuz
# whether the kernel trusts Debian's signature on the UKI's kernel depends
# on its keyrings (no UEFI db here): reported, not asserted
pekexec load --verify require /img/signed.efi >/tmp/out 2>&1
echo "PKVM INFO lockdown-signed-uki exit $? $(cat /tmp/out)"
pekexec unload >/dev/null 2>&1

echo "PKVM CRASH"
echo c >/proc/sysrq-trigger
echo "PKVM FAIL crash: still running"
poweroff -f
