#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fetch-images.sh OUTDIR - unpack the real images the tests use into OUTDIR:
#   OUTDIR/vmlinuz-amd64     Debian's signed x86_64 kernel (a PE/COFF bzImage)
#   OUTDIR/vmlinuz-amd64.deb its package (the modules, for
#                            tests/t-e2e-secureboot.sh's initrd)
#   OUTDIR/linuxx64.efi.stub systemd's UKI stub (from systemd-boot-efi)
#   OUTDIR/bootctl           bootctl from systemd-boot, the oracle of
#                            tests/t-entries.sh: unpacked, never installed
#                            (systemd-boot's postinst runs 'bootctl install'
#                            on a machine with an ESP); it runs against the
#                            installed systemd's libsystemd-shared.  Optional:
#                            a warning when it cannot be fetched.
# The kernel package is fetched with apt-get download and unpacked with
# dpkg-deb; nothing is installed on the host.  Prints nothing on success.
set -eu
out=$1
mkdir -p "$out"
# both from the same download: the modules must match the kernel
if [ ! -s "$out/vmlinuz-amd64" ] || [ ! -s "$out/vmlinuz-amd64.deb" ]; then
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		[ "$(id -u)" -eq 0 ] && apt-get update -q >&2
		pkg=$(apt-cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || { echo "fetch-images: cannot resolve linux-image-amd64" >&2; exit 1; }
	(cd "$tmp" && apt-get download -q "$pkg" >&2)
	dpkg-deb -x "$tmp"/*.deb "$tmp/root"
	cp "$tmp"/root/boot/vmlinuz-* "$out/vmlinuz-amd64.tmp"
	cp "$tmp"/*.deb "$out/vmlinuz-amd64.deb.tmp"
	mv "$out/vmlinuz-amd64.tmp" "$out/vmlinuz-amd64"
	mv "$out/vmlinuz-amd64.deb.tmp" "$out/vmlinuz-amd64.deb"
	echo "$pkg" > "$out/vmlinuz-amd64.pkg"
fi
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -s "$stub" ] || { echo "fetch-images: $stub missing (package systemd-boot-efi)" >&2; exit 1; }
cp "$stub" "$out/linuxx64.efi.stub"
if [ ! -s "$out/bootctl" ]; then
	tmp2=$(mktemp -d)
	chmod 755 "$tmp2"
	if (cd "$tmp2" && apt-get download -q systemd-boot >&2) &&
	   dpkg-deb -x "$tmp2"/systemd-boot_*.deb "$tmp2/root" &&
	   [ -x "$tmp2/root/usr/bin/bootctl" ]; then
		cp "$tmp2/root/usr/bin/bootctl" "$out/bootctl.tmp"
		mv "$out/bootctl.tmp" "$out/bootctl"
	else
		echo "fetch-images: warning: no bootctl (apt-get download systemd-boot failed); t-entries will skip" >&2
	fi
	rm -rf "$tmp2"
fi
