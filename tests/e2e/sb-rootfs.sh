#!/bin/sh
# SPDX-License-Identifier: MIT
#
# sb-rootfs.sh OUT.img - the root file system of tests/t-e2e-secureboot.sh:
# Debian bookworm made by mmdebstrap from the host's configured Debian
# mirror (systemd as PID 1, udev for the ESP checks of `systemctl kexec`),
# as an ext4 image labelled pksb-root.  Nothing of pekexec is in it: the
# UKI's initrd installs pekexec, the test unit and the trust anchor on
# every boot (the disk is attached with snapshot=on).
# The test caches OUT under a hash of this file: change the recipe here.
set -eu
out=$1
suite=bookworm
# the host's mirror for the suite (apt's own view of its sources), else
# Debian's default
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
	awk -v s="$suite" '$2 == s { print $1; exit }')
mirror=${mirror:-http://deb.debian.org/debian/}
security=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
	awk -v s="$suite-security" '$2 == s { print $1; exit }')

dir=$(mktemp -d "${TMPDIR:-/tmp}/sb-rootfs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
set -- "deb $mirror $suite main" "deb $mirror $suite-updates main"
[ -n "$security" ] && set -- "$@" "deb $security $suite-security main"
# a fixed machine-id: no first-boot units (systemd-firstboot would ask on
# the console)
mmdebstrap --mode=root --variant=essential --include=systemd-sysv,udev \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--customize-hook='echo pksb >"$1/etc/hostname"' \
	--customize-hook='echo 0c5b5e5ec0deb00750e0c0de5b000001 >"$1/etc/machine-id"' \
	--customize-hook='mkdir -p "$1/efi"' \
	"$suite" "$dir" "$@" >"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; exit 1; }
rm -f "$out.log"
rm -f "$out"
truncate -s 1G "$out"
mke2fs -q -F -t ext4 -L pksb-root -d "$dir" "$out"
