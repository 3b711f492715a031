#!/bin/sh
# SPDX-License-Identifier: MIT
# second-init.sh - /init of the UKI's own initrd (the kexec'ed kernel):
# prints a marker and /proc/cmdline on the console, then powers off.
/bin/busybox mount -t proc proc /proc
echo "PKVM SECOND marker=initrd-of-the-uki"
echo "PKVM SECOND cmdline=[$(/bin/busybox cat /proc/cmdline)]"
/bin/busybox poweroff -f
