#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel-arm64-second-init.sh - /init of the second kernel in
# tests/t-kernel-arm64.sh (the signed zboot kexec'ed by the first; this is
# the user initrd it was loaded with).  Prints its marker and
# /proc/cmdline, then, still under lockdown=integrity (from that command
# line), loads the signed UKI, prints the report and kexecs it: the third
# kernel's /init is tests/e2e/arm64-second-init.sh from the UKI's .initrd.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security
up() { cut -d' ' -f1 /proc/uptime; }
echo "PKVM K2 marker=$(cat /marker)"
echo "PKVM K2 cmdline=[$(cat /proc/cmdline)]"
echo "PKVM K2 lockdown=$(cat /sys/kernel/security/lockdown)"
s=$(up)
got=$(pk-kexec-file load /img/uki.efi)
e=$(up)
if [ "$got" = errno=0 ]; then
	echo "PKVM PASS k2-uki-load ($(echo "$e $s" | awk '{printf "%.1f", $1 - $2}') s)"
else
	echo "PKVM FAIL k2-uki-load: got '$got'"
	dmesg | tail -n 10
fi
sed 's/^/PKVM REPORT uki2 /' /sys/kernel/debug/kexec_bpf
echo "PKVM EXEC uki uptime=$(up)"
pk-kexec-file exec
echo "PKVM FAIL k2-exec: returned $?"
poweroff -f
