#!/bin/sh
# SPDX-License-Identifier: MIT
# arm64-second-init.sh - /init of the kexec'ed kernel in tests/t-e2e-arm64.sh:
# prints the marker the host wrote into this initrd (/marker) and
# /proc/cmdline on the console, then powers off.
/bin/busybox mount -t proc proc /proc
echo "PKVM SECOND marker=$(/bin/busybox cat /marker)"
echo "PKVM SECOND cmdline=[$(/bin/busybox cat /proc/cmdline)]"
/bin/busybox poweroff -f
