#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-xbootldr.sh - boot entries on an XBOOTLDR partition next to the ESP
# (docs/entries.md "XBOOTLDR"): `entries --boot-path DIR` lists the ESP's
# and the XBOOTLDR's Type #1 and Type #2 entries in one order, loader.conf
# read from the ESP only; `extract/load --entry ID --boot-path DIR` reads
# an XBOOTLDR entry's files (linux, initrd, the UKI and its .extra.d
# sidecars) from the XBOOTLDR partition, as systemd-boot and systemd-stub
# read them from the partition the entry is on.  Without --esp, /boot
# next to /boot/efi is found as bootctl finds it (tmpfs mounts on /boot
# and /boot/efi in a private mount namespace; the host's /boot is not
# touched).  Oracles: systemd-boot's bootctl (`--esp-path= --boot-path=
# --no-variables list`, on tmpfs mounts: bootctl wants two file systems)
# for the order and the default; cmp/sha256sum of the entry's own files;
# GNU cpio -t for the credential's archive.  ~6 s (ASan build, 2 cores).
set -euo pipefail

. "$TOP/tests/lib/uki-inputs.sh" objcopy cpio sha256sum jq unshare mount

esp=$PWD/esp xb=$PWD/xb
mkdir -p "$esp/loader/entries" "$esp/EFI/Linux" "$xb/loader/entries" "$xb/EFI/Linux/x.efi.extra.d"
printf 'ID=debian\nVERSION_ID=12\n' >os.txt
printf 'console=ttyS0 x' >cmdline.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" x.plain .osrel=os.txt .cmdline=cmdline.txt \
	.linux="$KERNEL"
"$PEKEXEC" add-bpf --parser "$UKI" x.plain "$xb/EFI/Linux/x.efi"
printf 'ID=debian\nVERSION_ID=11\n' >os11.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$esp/EFI/Linux/e.efi" .osrel=os11.txt \
	.linux="$KERNEL"
printf 'secret' >"$xb/EFI/Linux/x.efi.extra.d/pw.cred"
# a credential of the same name on the ESP must not be picked
mkdir -p "$esp/EFI/Linux/x.efi.extra.d"
printf 'wrong' >"$esp/EFI/Linux/x.efi.extra.d/pw.cred"
conf() { # DIR NAME LINES...
	local f=$1/loader/entries/$2
	shift 2
	printf '%s\n' "$@" >"$f"
}
cp "$KERNEL" "$xb/vmlinuz"
head -c 1001 /dev/urandom >"$xb/initrd.img"
conf "$xb" xl.conf "title On XBOOTLDR" "version 6.1" "linux /vmlinuz" "initrd /initrd.img" "options quiet"
conf "$esp" el.conf "title On the ESP" "version 6.0" "linux /vmlinuz"
conf "$esp" sk.conf "title Sorted" "sort-key aaa" "linux /nothing"
conf "$xb" sk2.conf "title Sorted too" "sort-key aaa" "version 2" "linux /nothing"
printf 'default xl*\n' >"$esp/loader/loader.conf"
printf 'default el*\n' >"$xb/loader/loader.conf"   # not read: the ESP's counts

# --- the list: both partitions, one order; loader.conf from the ESP ----------
"$PEKEXEC" entries --json --no-variables --esp "$esp" --boot-path "$xb" >both.json
jq -r '.entries[] | "\(.id) \(.partition)"' both.json >both.txt
for want in "xl.conf xbootldr" "el.conf esp" "x.efi xbootldr" "e.efi esp" "sk2.conf xbootldr"; do
	grep -qx "$want" both.txt || fail "entries: no '$want': $(tr '\n' ';' <both.txt)"
done
jq -e '.default_by == "loader.conf" and ([.entries[] | select(.default) | .id] == ["xl.conf"])' both.json >/dev/null ||
	fail "default: $(jq -c '[.default_by, (.entries[] | select(.default) | .id)]' both.json)"
"$PEKEXEC" entries --json --no-variables --esp "$esp" >esp-only.json
[ "$(jq '.entries | length' esp-only.json)" -eq 3 ] || fail "--esp alone: $(jq -c '[.entries[].id]' esp-only.json)"
# the same directory as both: read once
"$PEKEXEC" entries --json --no-variables --esp "$esp" --boot-path "$esp/." >same.json
[ "$(jq '.entries | length' same.json)" -eq 3 ] || fail "ESP as XBOOTLDR listed twice"

# --- bootctl's order, on two tmpfs (bootctl checks the mounts) --------------
BOOTCTL=$IMAGES/bootctl
if [ -x "$BOOTCTL" ] && "$BOOTCTL" --version >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	mkdir -p m.esp m.xb
	if unshare -m sh -c 'mount -t tmpfs tmpfs m.esp && mount -t tmpfs tmpfs m.xb &&
		cp -a "$1/." m.esp/ && cp -a "$2/." m.xb/ &&
		SYSTEMD_RELAX_ESP_CHECKS=1 SYSTEMD_RELAX_XBOOTLDR_CHECKS=1 "$3" --esp-path="$PWD/m.esp" \
			--boot-path="$PWD/m.xb" --no-variables list --json=short >bootctl.json &&
		SYSTEMD_RELAX_ESP_CHECKS=1 SYSTEMD_RELAX_XBOOTLDR_CHECKS=1 "$3" --esp-path="$PWD/m.esp" \
			--boot-path="$PWD/m.xb" --no-variables list >bootctl.txt &&
		"$4" entries --json --no-variables --esp m.esp --boot-path m.xb >mounted.json' \
		sh "$esp" "$xb" "$BOOTCTL" "$PEKEXEC" 2>bootctl.err; then
		jq -r 'if type == "array" then .[].id else .id end' bootctl.json >want.ids
		awk '/title:.*\(default\)/ {d = 1; next} d && /id:/ {print $2; exit}' bootctl.txt >want.default
		jq -r '.entries[].id' mounted.json >got.ids
		jq -r '.entries[] | select(.default) | .id' mounted.json >got.default
		diff -u want.ids got.ids || fail "XBOOTLDR: order differs from bootctl's"
		diff -u want.default got.default || fail "XBOOTLDR: default differs from bootctl's"
		echo "bootctl --esp-path --boot-path: $(tr '\n' ' ' <got.ids)| default $(cat got.default)"
	else
		echo "SKIP (part): bootctl list on two tmpfs mounts failed here: $(head -c 300 bootctl.err)"
	fi
else
	echo "SKIP (part): no runnable \$IMAGES/bootctl or no private mount namespace: order not compared with bootctl"
fi

# --- an XBOOTLDR Type #1 entry: its files from XBOOTLDR ----------------------
"$PEKEXEC" extract --entry xl.conf --esp "$esp" --boot-path "$xb" -o t1
cmp t1/kernel "$KERNEL" || fail "xl.conf: kernel"
cmp t1/initrd "$xb/initrd.img" || fail "xl.conf: initrd is not XBOOTLDR's initrd.img"
jq -e '.entry.partition == "xbootldr" and .entry.image == "vmlinuz"' t1/manifest.json >/dev/null ||
	fail "xl.conf: manifest $(jq -c .entry t1/manifest.json)"
# the same file name on the ESP only: not found (no fallback to the other partition)
rm "$xb/vmlinuz"
cp "$KERNEL" "$esp/vmlinuz"
rc=0
"$PEKEXEC" extract --entry xl.conf --esp "$esp" --boot-path "$xb" -o t1-missing 2>err.txt || rc=$?
[ "$rc" -eq 1 ] && [ ! -e t1-missing ] || fail "xl.conf without XBOOTLDR's vmlinuz: exit $rc"
grep -q 'xl.conf' err.txt || fail "xl.conf missing file: $(cat err.txt)"
cp "$KERNEL" "$xb/vmlinuz"

# --- an XBOOTLDR Type #2 entry: the UKI and its sidecars from XBOOTLDR -------
"$PEKEXEC" extract --entry x.efi --esp "$esp" --boot-path "$xb" -o t2
cmp t2/kernel "$KERNEL" || fail "x.efi: kernel"
cpio -t --quiet <t2/initrd >t2.list 2>/dev/null || true
grep -qx '.extra/credentials/pw.cred' t2.list || fail "x.efi: XBOOTLDR's credential not in the initrd: $(tr '\n' ' ' <t2.list)"
mkdir -p t2.root && (cd t2.root && cpio -id --quiet --no-absolute-filenames <../t2/initrd 2>/dev/null || true)
cmp t2.root/.extra/credentials/pw.cred "$xb/EFI/Linux/x.efi.extra.d/pw.cred" || fail "x.efi: credential is not XBOOTLDR's"
jq -e '.entry.partition == "xbootldr" and .policy.esp and (.sidecars[] | select(.path == "EFI/Linux/x.efi.extra.d/pw.cred"))' \
	t2/manifest.json >/dev/null || fail "x.efi: manifest $(jq -c '[.entry, .sidecars]' t2/manifest.json)"
"$PEKEXEC" load --dry-run --no-kernel-bpf --entry x.efi --esp "$esp" --boot-path "$xb" >plan.txt
grep -q "^initrd   $(stat -c %s t2/initrd) bytes sha256 $(sha t2/initrd)\$" plan.txt ||
	fail "load --entry x.efi: initrd differs from extract's: $(cat plan.txt)"
# --boot-path without --entry/--default: a usage error
rc=0
"$PEKEXEC" extract --boot-path "$xb" -o u "$xb/EFI/Linux/x.efi" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--boot-path with IMAGE: exit $rc"

# --- found without --esp: /boot/efi (ESP) and /boot (XBOOTLDR), as bootctl ----
if unshare -m true 2>/dev/null; then
	unshare -m sh -c 'mount -t tmpfs tmpfs /boot && mkdir /boot/efi && mount -t tmpfs tmpfs /boot/efi &&
		cp -a "$1/." /boot/efi/ && cp -a "$2/." /boot/ &&
		"$3" entries --json --no-variables >auto.json &&
		"$3" extract --entry x.efi -o auto-x' sh "$esp" "$xb" "$PEKEXEC"
	jq -r '.entries[] | "\(.id) \(.partition)"' auto.json >auto.txt
	diff -u both.txt auto.txt || fail "autodetected /boot/efi + /boot differ from --esp/--boot-path"
	cmp auto-x/initrd t2/initrd || fail "autodetected: x.efi initrd differs"
	echo "autodetected: /boot/efi as the ESP, /boot as XBOOTLDR"
else
	echo "SKIP (part): no private mount namespace: /boot + /boot/efi detection not run"
fi
echo "ok"
