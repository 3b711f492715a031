#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-devicetree.sh - .dtb / .dtbauto of a UKI and a Type #1 entry's
# "devicetree" at kexec time (docs/pipeline.md §4 "Device trees"):
# kexec_file_load takes no device tree, so none is used; extract/load say
# so (a warning naming the section, the manifest's "devicetree" with
# "used": false and the reason) and refuse under --verify require only
# where systemd-stub would have installed it and it differs from the
# running kernel's: a system with a device tree (faked with
# PEKEXEC_SYSFS_FIRMWARE=DIR holding DIR/fdt, as /sys/firmware/fdt),
# .dtbauto picked by the running root compatible, an entry's devicetree
# skipped under Secure Boot as systemd-boot skips it; device-tree add-ons
# (systemd-stub's load_addons(): an add-on's matching .dtbauto, else its
# .dtb, installed after the UKI's), given with --addon or found on the ESP,
# judged by the same rules.
# Blobs made with dtc; oracles: fdtget (the root compatible), objcopy
# --dump-section + sha256sum (the section the manifest names).
set -euo pipefail

. "$TOP/tests/lib/uki-inputs.sh" dtc fdtget objcopy openssl sbsign sha256sum jq

dts() { # NAME COMPATIBLE EXTRA
	printf '/dts-v1/;\n/ {\n\tcompatible = "%s", "pekexec,generic";\n\tmodel = "%s";\n\t%s\n\tchosen { };\n};\n' \
		"$2" "$1" "${3:-}" >"$1.dts"
	dtc -q -I dts -O dtb -o "$1.dtb" "$1.dts"
}
dts a pekexec,board-a
dts b pekexec,board-b
dts c pekexec,board-c
dts a2 pekexec,board-a 'serial-number = "2";'   # a's compatible, other bytes
[ "$(fdtget -t s a.dtb / compatible | cut -d' ' -f1)" = pekexec,board-a ] || fail "fdtget disagrees with dtc"
mkdir -p "$BUILD/fuzz-seeds/fuzz-fdt-compatible"
cp a.dtb a2.dtb "$BUILD/fuzz-seeds/fuzz-fdt-compatible/"

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-dtb -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null
printf 'console=ttyS0' >cmdline.txt
uki() { # OUT SECTIONS...
	local out=$1
	shift
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$out.tmp" .cmdline=cmdline.txt \
		.linux="$KERNEL" "$@"
	objcopy --rename-section .auto1=.dtbauto --rename-section .auto2=.dtbauto \
		--rename-section .auto3=.dtbauto --rename-section .prof1=.profile \
		--rename-section .prof2=.profile "$out.tmp" "$out.plain"
	"$PEKEXEC" add-bpf --parser "$UKI" "$out.plain" "$out.unsigned"
	sbsign --key key.pem --cert cert.pem --output "$out" "$out.unsigned" 2>/dev/null
}
uki dtb.efi .dtb=a.dtb
uki auto.efi .auto1=a.dtb .auto2=b.dtb
objcopy --dump-section .dtb=dtb.section dtb.efi dump.tmp

fw() { rm -rf fw && mkdir fw && { [ -z "${1:-}" ] || cp "$1.dtb" fw/fdt; }; }
# run NAME WANT-RC ARGS...: extract with the fake firmware dir
run() {
	local name=$1 want=$2 rc=0
	shift 2
	rm -rf "$name"
	PEKEXEC_SYSFS_FIRMWARE=$PWD/fw "$PEKEXEC" extract --trust cert.pem -o "$name" "$@" \
		2>"$name.err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want: $(cat "$name.err")"
	if [ "$want" -ne 0 ]; then
		[ ! -e "$name/kernel" ] || fail "$name: refused but wrote a kernel"
	fi
}
dt() { jq -r ".devicetree[$2].$3" "$1/manifest.json"; }

# --- no device tree on this machine (x86/ACPI): never the stub's either ------
fw
run x86 0 --verify require dtb.efi
grep -q "warning: device tree .dtb ($(stat -c %s dtb.section) bytes) is not used" x86.err ||
	fail "x86: no warning naming .dtb: $(cat x86.err)"
[ "$(dt x86 0 source)" = .dtb ] && [ "$(dt x86 0 sha256)" = "$(sha dtb.section)" ] ||
	fail "x86: manifest names $(dt x86 0 source) $(dt x86 0 sha256)"
[ "$(dt x86 0 compatible)" = "$(fdtget -t s a.dtb / compatible | cut -d' ' -f1)" ] ||
	fail "x86: compatible $(dt x86 0 compatible), fdtget says otherwise"
[ "$(dt x86 0 used)" = false ] && [ "$(dt x86 0 stub_would_use)" = false ] || fail "x86: used/stub_would_use"
grep -q 'without a device tree' x86/manifest.json || fail "x86: reason"
echo "x86: .dtb reported, not used, not refused under require"

# --- a device-tree machine: the stub would have installed it -----------------
fw b
run dt-auto 0 dtb.efi
[ "$(dt dt-auto 0 stub_would_use)" = true ] || fail "dt-auto: stub_would_use"
run dt-require 8 --verify require dtb.efi
grep -q 'device tree .dtb: refused under enforcement' dt-require.err || fail "dt-require: $(cat dt-require.err)"
rc=0
PEKEXEC_SYSFS_FIRMWARE=$PWD/fw "$PEKEXEC" load --dry-run --trust cert.pem --verify require dtb.efi \
	>/dev/null 2>load.err || rc=$?
[ "$rc" -eq 8 ] || fail "load --dry-run --verify require: exit $rc: $(cat load.err)"
fw a   # the running kernel booted with this very blob
run dt-same 0 --verify require dtb.efi
grep -q 'identical to the running' dt-same/manifest.json || fail "dt-same: reason"
echo "device-tree machine: warning without enforcement, exit 8 under require (extract, load), identical blob accepted"

# --- .dtbauto: the one whose compatible matches the running one -------------
fw b
run auto-b 0 --verify require auto.efi
[ "$(dt auto-b 0 source)" = .dtbauto ] && [ "$(dt auto-b 0 sha256)" = "$(sha b.dtb)" ] ||
	fail "auto-b: picked $(dt auto-b 0 sha256), b.dtb is $(sha b.dtb)"
fw c
run auto-none 0 --verify require auto.efi
[ "$(dt auto-none 0 stub_would_use)" = false ] && grep -q 'no .dtbauto section matches' auto-none/manifest.json ||
	fail "auto-none: $(jq -c .devicetree auto-none/manifest.json)"
fw a2
run auto-a2 8 --verify require auto.efi
run auto-a2-auto 0 auto.efi
[ "$(dt auto-a2-auto 0 sha256)" = "$(sha a.dtb)" ] || fail "auto-a2: not a.dtb picked"
echo ".dtbauto: matching one picked; none matching not refused; a different blob refused under require"

# --- .dtbauto per profile: the profile's own matching one wins over the base's
printf 'ID=zero\n' >p0.txt
printf 'ID=one\n' >p1.txt
uki prof.efi .auto1=a.dtb .prof1=p0.txt .auto2=b.dtb .auto3=a2.dtb .prof2=p1.txt
fw a
run prof0-a 0 --command-line @0 prof.efi
[ "$(dt prof0-a 0 sha256)" = "$(sha a2.dtb)" ] || fail "prof0-a: not profile 0's own a2.dtb: $(jq -c .devicetree prof0-a/manifest.json)"
run prof1-a 0 --command-line @1 prof.efi
[ "$(dt prof1-a 0 sha256)" = "$(sha a.dtb)" ] || fail "prof1-a: not the base's a.dtb: $(jq -c .devicetree prof1-a/manifest.json)"
fw b
run prof0-b 0 --command-line @0 prof.efi
[ "$(dt prof0-b 0 sha256)" = "$(sha b.dtb)" ] || fail "prof0-b: not b.dtb: $(jq -c .devicetree prof0-b/manifest.json)"
run prof1-b 0 --command-line @1 prof.efi
[ "$(dt prof1-b 0 stub_would_use)" = false ] && grep -q 'no .dtbauto section matches' prof1-b/manifest.json ||
	fail "prof1-b: the base's a.dtb does not match b: $(jq -c .devicetree prof1-b/manifest.json)"
echo ".dtbauto per profile: the profile's own matching one, else the base's; none matching not picked"

# --- a Type #1 entry's devicetree: systemd-boot skips it under Secure Boot ----
esp=$PWD/esp
mkdir -p "$esp/loader/entries" "$esp/dtbs"
cp auto.efi "$esp/u.efi"   # a UKI with .dtbauto only
cp c.dtb "$esp/dtbs/c.dtb"
printf 'title dt\nlinux /u.efi\ndevicetree /dtbs/c.dtb\n' >"$esp/loader/entries/dt.conf"
fw b
run entry 0 --entry dt.conf --esp "$esp"
[ "$(dt entry 0 source)" = devicetree ] && [ "$(dt entry 0 path)" = dtbs/c.dtb ] &&
	[ "$(dt entry 0 sha256)" = "$(sha c.dtb)" ] && [ "$(dt entry 0 stub_would_use)" = true ] ||
	fail "entry: $(jq -c .devicetree entry/manifest.json)"
run entry-require 0 --verify require --entry dt.conf --esp "$esp"
grep -q 'under Secure Boot' entry-require/manifest.json || fail "entry-require: reason"
ln -s /etc/hostname "$esp/dtbs/out.dtb"
printf 'title dt\nlinux /u.efi\ndevicetree /dtbs/out.dtb\n' >"$esp/loader/entries/out.conf"
run entry-out 1 --entry out.conf --esp "$esp"
grep -q 'symlink out of the ESP' entry-out.err || fail "entry-out: $(cat entry-out.err)"
echo "entry devicetree: reported; not refused under require (systemd-boot skips it); a symlink out refused"

# --- device-tree add-ons: objcopy on the stub, no .bpf, signed ---------------
addon() { # OUT SECTIONS...
	local out=$1
	shift
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$out.tmp" "$@"
	objcopy --rename-section .auto1=.dtbauto --rename-section .auto2=.dtbauto "$out.tmp" "$out.plain"
	sbsign --key key.pem --cert cert.pem --output "$out" "$out.plain" 2>/dev/null
}
printf 'dt.addon=1' >addon-cmdline.txt
addon dtb.addon.efi .cmdline=addon-cmdline.txt .dtb=c.dtb
addon auto.addon.efi .cmdline=addon-cmdline.txt .auto1=b.dtb .auto2=a.dtb
uki nodt.efi
fw
run ad-x86 0 --verify require --addon dtb.addon.efi nodt.efi
grep -q "warning: device tree .dtb of add-on dtb.addon.efi ($(stat -c %s c.dtb) bytes) is not used" ad-x86.err ||
	fail "ad-x86: no warning naming the add-on's .dtb: $(cat ad-x86.err)"
[ "$(jq -c '[.devicetree[] | [.source, .path, .addon, .sha256, .stub_would_use]]' ad-x86/manifest.json)" = \
	"[[\".dtb\",\"dtb.addon.efi\",true,\"$(sha c.dtb)\",false]]" ] ||
	fail "ad-x86: manifest $(jq -c .devicetree ad-x86/manifest.json)"
[ "$(cat ad-x86/cmdline)" = "console=ttyS0 dt.addon=1" ] || fail "ad-x86: add-on command line"
fw b
run ad-dt 0 --addon dtb.addon.efi nodt.efi
[ "$(dt ad-dt 0 stub_would_use)" = true ] || fail "ad-dt: stub_would_use"
run ad-require 8 --verify require --addon dtb.addon.efi nodt.efi
grep -q 'device tree .dtb of add-on dtb.addon.efi: refused under enforcement' ad-require.err ||
	fail "ad-require: $(cat ad-require.err)"
# the add-on's .dtbauto matching the running compatible is the one judged
fw a
run ad-auto 0 --verify require --addon auto.addon.efi nodt.efi
[ "$(dt ad-auto 0 source)" = .dtbauto ] && [ "$(dt ad-auto 0 sha256)" = "$(sha a.dtb)" ] ||
	fail "ad-auto: $(jq -c .devicetree ad-auto/manifest.json)"
# after the UKI's own, in add-on order; found on the ESP as the stub finds it
rm -rf adesp && mkdir -p adesp/EFI/Linux adesp/loader/addons
cp dtb.efi adesp/EFI/Linux/u.efi
cp dtb.addon.efi adesp/loader/addons/
fw b
run ad-esp 0 --esp adesp adesp/EFI/Linux/u.efi
[ "$(jq -c '[.devicetree[] | [.source, .path, .addon]]' ad-esp/manifest.json)" = \
	'[[".dtb","",false],[".dtb","loader/addons/dtb.addon.efi",true]]' ] ||
	fail "ad-esp: $(jq -c .devicetree ad-esp/manifest.json)"
fw a   # the UKI's .dtb is the running one: only the add-on's differs
run ad-esp-require 8 --verify require --esp adesp adesp/EFI/Linux/u.efi
grep -q 'add-on loader/addons/dtb.addon.efi: refused' ad-esp-require.err || fail "ad-esp-require: $(cat ad-esp-require.err)"
rc=0
PEKEXEC_SYSFS_FIRMWARE=$PWD/fw "$PEKEXEC" load --dry-run --trust cert.pem --verify require \
	--esp adesp adesp/EFI/Linux/u.efi >/dev/null 2>load.err || rc=$?
[ "$rc" -eq 8 ] || fail "load --dry-run --esp with a .dtb add-on under require: exit $rc: $(cat load.err)"
echo "device-tree add-ons: reported with the add-on's name, refused under require where the stub would install them"
echo "ok"
