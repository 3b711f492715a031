#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fetch-images.sh OUTDIR - unpack the real images the tests use into OUTDIR:
#   OUTDIR/vmlinuz-amd64     Debian's signed x86_64 kernel (a PE/COFF bzImage)
#   OUTDIR/vmlinuz-amd64.deb its package (the modules, for
#                            tests/t-e2e-secureboot.sh's initrd)
#   OUTDIR/vmlinuz-amd64-6.12
#                            Debian's stock 6.12 x86_64 kernel (issue 17,
#                            tests/t-e2e-kexec-6.12.sh): the newest
#                            linux-image-6.12.N+debM-amd64 in the archive,
#                            the signed package if that version has one,
#                            else its -unsigned twin (same vmlinuz, no
#                            signature); no modules kept
# (OUTDIR/NAME.pkg names the package each kernel came from.)
#   OUTDIR/linuxx64.efi.stub systemd's UKI stub (from systemd-boot-efi)
#   OUTDIR/bootctl           bootctl from systemd-boot, the oracle of
#                            tests/t-entries.sh: unpacked, never installed
#                            (systemd-boot's postinst runs 'bootctl install'
#                            on a machine with an ESP); it runs against the
#                            installed systemd's libsystemd-shared.  Optional:
#                            a warning when it cannot be fetched.
# The kernel packages are fetched with apt-get download and unpacked with
# dpkg-deb; nothing is installed on the host.  Prints nothing on success.
set -eu
out=$1
mkdir -p "$out"
# fetch_kernel NAME PKG KEEP_DEB: OUTDIR/NAME, the /boot/vmlinuz-* of PKG,
# and with KEEP_DEB=1 OUTDIR/NAME.deb (both from the same download: the
# modules must match the kernel)
tmp=
trap 'rm -rf "$tmp"' EXIT
fetch_kernel() {
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "$2" >&2)
	dpkg-deb -x "$tmp"/*.deb "$tmp/root"
	cp "$tmp"/root/boot/vmlinuz-* "$out/$1.tmp"
	if [ "$3" = 1 ]; then
		cp "$tmp"/*.deb "$out/$1.deb.tmp"
		mv "$out/$1.deb.tmp" "$out/$1.deb"
	fi
	mv "$out/$1.tmp" "$out/$1"
	echo "$2" > "$out/$1.pkg"
	rm -rf "$tmp"
}
# the newest linux-image-6.12.N+debM-amd64[-unsigned], by version
newest_612() {
	apt-cache search --names-only '^linux-image-6[.]12[.][0-9]+[+]deb[0-9]+-amd64(-unsigned)?$' |
		sed -n 's/^\(linux-image-[^ ]*\) - .*/\1/p' | sed 's/-unsigned$//' |
		sort -uV | tail -n 1
}
if [ ! -s "$out/vmlinuz-amd64" ] || [ ! -s "$out/vmlinuz-amd64.deb" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		[ "$(id -u)" -eq 0 ] && apt-get update -q >&2
		pkg=$(apt-cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || { echo "fetch-images: cannot resolve linux-image-amd64" >&2; exit 1; }
	fetch_kernel vmlinuz-amd64 "$pkg" 1
fi
if [ ! -s "$out/vmlinuz-amd64-6.12" ]; then
	pkg=$(newest_612)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >&2
		pkg=$(newest_612)
	fi
	[ -n "$pkg" ] || { echo "fetch-images: no linux-image-6.12.*-amd64 in the archive" >&2; exit 1; }
	# the signed package where this version has one (the -unsigned one
	# provides the signed name: a virtual package has no Version)
	apt-cache show "$pkg" 2>/dev/null | grep -q '^Version:' || pkg=$pkg-unsigned
	fetch_kernel vmlinuz-amd64-6.12 "$pkg" 0
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
