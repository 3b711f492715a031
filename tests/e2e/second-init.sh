#!/bin/sh
# SPDX-License-Identifier: MIT
# second-init.sh - /init of the UKI's own initrd (the kexec'ed kernel):
# prints a marker, /proc/cmdline and the credentials the loader put under
# /.extra/credentials (as systemd-stub does) on the console, then powers off.
/bin/busybox mount -t proc proc /proc
echo "PKVM SECOND marker=initrd-of-the-uki"
echo "PKVM SECOND cmdline=[$(/bin/busybox cat /proc/cmdline)]"
for c in /.extra/credentials/*.cred; do
	[ -f "$c" ] && echo "PKVM SECOND credential ${c##*/}=[$(/bin/busybox cat "$c")]"
done
/bin/busybox poweroff -f
