#!/bin/sh
# SPDX-License-Identifier: MIT
# sb-init.sh - /init of the initrd of both UKIs of tests/t-e2e-secureboot.sh
# (busybox, Debian's modules for virtio disks, ext4 and vfat, the payload).
# On every boot it prints one line the host checks:
#   PKVM BOOT step=S marker=M sb=N lockdown=L vmcore=V cmdline=[C]
# (S: the guest script's next step, read from the root disk; M: the marker
# file of the UKI that was booted).  A capture kernel (/proc/vmcore) stops
# there.  Otherwise it mounts the root disk and the ESP (at /efi), installs
# the payload on the first boot (pekexec as /sbin/kexec, its libraries
# where the root lacks them, the test unit, the trust anchor) and hands
# over to systemd.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
# failures (crc32c-intel without SSE4.2) are harmless: a fallback follows
for m in $(cat /modules/order); do insmod "/modules/$m" 2>/dev/null; done

sb=none
if [ -d /sys/firmware/efi ]; then
	mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
	v=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
	# 4 bytes of attributes, then the value (busybox od has no -j)
	[ -r "$v" ] && sb=$(dd if="$v" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	umount /sys/firmware/efi/efivars 2>/dev/null
fi
# the active mode: "none [integrity] confidentiality" -> integrity
lockdown=$(sed 's/.*\[\([a-z]*\)\].*/\1/' /sys/kernel/security/lockdown 2>/dev/null)
vmcore=0
[ -e /proc/vmcore ] && vmcore=1

step=none
root=
for _ in $(seq 50); do
	root=$(findfs LABEL=pksb-root 2>/dev/null) && break
	sleep 0.2
done
if [ "$vmcore" = 0 ] && [ -n "$root" ]; then
	mkdir -p /newroot
	mount -t ext4 "$root" /newroot && step=$(cat /newroot/var/lib/pksb/next 2>/dev/null || echo first)
fi
echo "PKVM BOOT step=$step marker=$(cat /pksb-marker) sb=$sb lockdown=${lockdown:-unknown} vmcore=$vmcore uptime=$(cut -d' ' -f1 /proc/uptime) cmdline=[$(cat /proc/cmdline)]"
if [ "$vmcore" = 1 ] || [ "$step" = none ]; then
	[ "$step" = none ] && [ "$vmcore" = 0 ] && echo "PKVM FAIL boot: no root disk (pksb-root)"
	poweroff -f
fi

esp=$(findfs LABEL=PKSB-ESP 2>/dev/null)
mount -t vfat "$esp" /newroot/efi || echo "PKVM FAIL boot: cannot mount the ESP ($esp)"
# once per VM (the disk's snapshot lives as long as QEMU): the payload,
# and the libraries pekexec needs that the root file system lacks
if [ "$step" = first ]; then
	cp -a /payload/. /newroot/
	(cd /payload-libs && find . -type f) | while read -r f; do
		f=${f#.}
		[ -e "/newroot$f" ] && continue
		mkdir -p "/newroot${f%/*}" && cp -a "/payload-libs$f" "/newroot$f"
	done
fi
umount /sys/kernel/security 2>/dev/null
umount /dev /sys /proc
exec switch_root /newroot /sbin/init
