#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-esp-detect.sh - without --esp, extract and load find the ESP a UKI lies
# on as bootctl checks one (tool/esp-detect.c, docs/pipeline.md §4): the
# root of the file system the image is on, vfat, with EFI/ or loader/;
# then its sidecars are added as with --esp.  In a private mount
# namespace: a loop-mounted vfat image (t-esp-detect-vfat.sh: SKIP when
# this kernel cannot mount vfat), and a tmpfs with
# SYSTEMD_RELAX_ESP_CHECKS=1 (bootctl's own switch for non-vfat ESPs: the
# mount-root and EFI/ checks still apply).  Not detected: the
# tmpfs without the switch, a mount root without EFI/ or loader/,
# --no-sidecars.  Oracle: GNU cpio -t on the initrd (the credential's
# archive), the manifest's esp flags, load --dry-run's initrd sha256 vs
# extract's (sha256sum).
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in objcopy cpio sha256sum jq unshare mount; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
STUB=$IMAGES/linuxx64.efi.stub
UKI=$BUILD/bpf/uki.bpf
[ -f "$STUB" ] || skip "no \$IMAGES/linuxx64.efi.stub"
[ -f "$UKI" ] || skip "$UKI not built (make parsers)"
[ "$(id -u)" -eq 0 ] || skip "not root: no loop or tmpfs mounts (run make check as root)"
unshare -m true 2>/dev/null || skip "no private mount namespace (unshare -m)"

head -c 4001 /dev/urandom >k.bin
printf 'console=ttyS0' >cmdline.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" u.plain .cmdline=cmdline.txt .linux=k.bin
"$PEKEXEC" add-bpf --parser "$UKI" u.plain u.efi

cat >inner.sh <<'EOF'
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
kind=$1 mnt=$PWD/mnt.$1
mkdir -p "$mnt"
case $kind in
vfat)
	truncate -s 32M vfat.img
	mkfs.vfat vfat.img >/dev/null
	mount -o loop -t vfat vfat.img "$mnt" ;;
tmpfs)
	mount -t tmpfs tmpfs "$mnt" ;;
esac
mkdir -p "$mnt/EFI/Linux/u.efi.extra.d"
cp u.efi "$mnt/EFI/Linux/u.efi"
printf 'pw' >"$mnt/EFI/Linux/u.efi.extra.d/pw.cred"
img=$mnt/EFI/Linux/u.efi
has_cred() { cpio -t --quiet <"$1/initrd" 2>/dev/null | grep -qx '.extra/credentials/pw.cred'; }

"$PEKEXEC" extract -o "x.$kind" "$img"
has_cred "x.$kind" || fail "$kind: credential of the detected ESP not in the initrd"
jq -e '.policy.esp and .policy.esp_detected' "x.$kind/manifest.json" >/dev/null || fail "$kind: manifest esp flags"
"$PEKEXEC" load --dry-run "$img" >"l.$kind"
grep -q "^esp      $mnt (detected" "l.$kind" || fail "$kind: load: $(cat "l.$kind")"
grep -q "^initrd   $(stat -c %s "x.$kind/initrd") bytes sha256 $(sha256sum "x.$kind/initrd" | cut -d' ' -f1)\$" "l.$kind" ||
	fail "$kind: load's initrd is not extract's: $(cat "l.$kind")"
"$PEKEXEC" extract --no-sidecars -o "n.$kind" "$img"
! has_cred "n.$kind" || fail "$kind: --no-sidecars still searched the ESP"
jq -e '.policy.esp_detected == false' "n.$kind/manifest.json" >/dev/null || fail "$kind: --no-sidecars: esp_detected"
# a mount root without EFI/ or loader/ is not an ESP
mv "$mnt/EFI" "$mnt/other"
"$PEKEXEC" extract -o "o.$kind" "$mnt/other/Linux/u.efi"
jq -e '.policy.esp == false' "o.$kind/manifest.json" >/dev/null || fail "$kind: no EFI/, still detected"
mv "$mnt/other" "$mnt/EFI"
if [ "$kind" = tmpfs ]; then
	# bootctl's rule: not vfat, not an ESP unless the checks are relaxed
	SYSTEMD_RELAX_ESP_CHECKS=0 "$PEKEXEC" extract -o t.strict "$img"
	jq -e '.policy.esp == false' t.strict/manifest.json >/dev/null || fail "tmpfs detected as an ESP"
fi
echo "$kind: detected ($mnt), credential added; load --dry-run agrees; --no-sidecars, no EFI/ not detected"
EOF

# The vfat case is its own test, t-esp-detect-vfat (this script with
# "vfat"), so that a host without vfat shows a SKIP in the summary instead
# of a pass that did not look at vfat.
if [ "${1:-}" = vfat ]; then
	command -v mkfs.vfat >/dev/null || skip "mkfs.vfat not installed: the vfat ESP detection is NOT tested"
	unshare -m bash -c 'mkdir -p probe && truncate -s 16M probe.img && mkfs.vfat probe.img >/dev/null 2>&1 &&
		mount -o loop -t vfat probe.img probe' 2>/dev/null ||
		skip "this kernel cannot mount vfat (no loop device or no vfat module: $(grep -cw vfat /proc/filesystems) vfat lines in /proc/filesystems): the detection of a vfat-mounted ESP (the case without SYSTEMD_RELAX_ESP_CHECKS) is NOT tested here"
	unshare -m bash inner.sh vfat
else
	SYSTEMD_RELAX_ESP_CHECKS=1 unshare -m bash inner.sh tmpfs
fi
echo "ok"
