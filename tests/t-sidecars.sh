#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-sidecars.sh - what systemd-stub adds to a UKI's initrd at boot, done by
# extract/load (docs/pipeline.md §4 "Generated cpio archives"):
#   - .pcrsig / .pcrpkey / .osrel / .profile of the selected profile as one
#     newc archive each, /.extra/tpm2-pcr-signature.json,
#     /.extra/tpm2-pcr-public-key.pem, /.extra/os-release, /.extra/profile
#     (the newest stub's INITRD_PCRSIG..INITRD_PROFILE order), after the
#     UKI's .initrd, before add-on initrds;
#   - a profile's own .pcrsig wins over the base's, the base's .pcrpkey
#     and .osrel are seen by every profile, each profile's own .profile;
#   - --no-sidecars leaves them out; load --dry-run gives the same initrd;
#   - --esp: an ESP tree made here with signed add-ons (objcopy on the stub,
#     global then the UKI's .extra.d, each sorted), credentials
#     (systemd-creds encrypt --with-key=null where it can, else plain), a
#     squashfs sysext with an extension-release file, a confext, global
#     ones: one archive per directory in the stub's order and paths/modes,
#     add-on command lines appended, add-on initrd last;
#   - add-ons as ukify/objcopy make them (.cmdline/.initrd/.ucode, no .bpf)
#     are read by the UKI's own parser program (the manifest's program
#     sha256 is that of the UKI's .bpf section, objcopy --dump-section);
#     two .ucode add-ons go in reverse order (the newest stub's);
#   - bad ESPs: an add-on with .linux, a wrong .uname, unsigned under
#     require, a .cred over cpio's 4 GiB limit (sparse), 10,000 files,
#     symlinks and a symlink loop: refused (nothing written or loaded) or
#     skipped as the stub skips, with the reason in the manifest.
# UKIs are made with objcopy on systemd's stub (tests/lib/mkuki-objcopy.sh)
# + add-bpf, signed with sbsign.  Oracles: GNU cpio (-itv lists paths,
# modes, owners, times in the archive's order; -id extracts the files,
# compared with sha256sum against the section files); archive starts
# found by scanning the initrd for a newc header with inode 1 (grep -obUa),
# not from our manifest; the initrd's head compared with cmp.
set -euo pipefail

. "$TOP/tests/lib/uki-inputs.sh" objcopy objdump openssl sbsign cpio sha256sum grep mksquashfs jq

align4() { echo $((($1 + 3) / 4 * 4)); }

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-sidecars -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null
# The PCR public key as ukify puts it (PEM of an RSA public key); the
# signature JSON's content is opaque to the stub and to us.
openssl genrsa -out pcr.key 2048 2>/dev/null
openssl rsa -in pcr.key -pubout -out pcrpkey.pem 2>/dev/null
printf '{"sha256":[{"pcrs":[11],"pkfp":"%s","pol":"base","sig":"%s"}]}' \
	"$(sha pcrpkey.pem)" "$(head -c 48 /dev/urandom | base64 -w0)" >pcrsig.json
printf '{"sha256":[{"pcrs":[11],"pkfp":"%s","pol":"prof1","sig":"%s"}]}' \
	"$(sha pcrpkey.pem)" "$(head -c 51 /dev/urandom | base64 -w0)" >pcrsig1.json
head -c 10001 /dev/urandom >base.img
printf 'console=ttyS0' >cmdline.txt
printf 'ID=zero\n' >prof0.txt
printf 'ID=one\n' >prof1.txt
printf 'ID=debian\n' >osrel.txt

# objcopy adds one section per name: the repeated ones get a unique name
# first, then are renamed (ukify's layout: base, then each profile).
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" uki.tmp .osrel=osrel.txt \
	.cmdline=cmdline.txt .initrd=base.img .pcrsig=pcrsig.json .pcrpkey=pcrpkey.pem \
	.linux="$KERNEL" .prof0=prof0.txt .prof1=prof1.txt .sig1=pcrsig1.json
objcopy --rename-section .prof0=.profile --rename-section .prof1=.profile \
	--rename-section .sig1=.pcrsig uki.tmp uki.plain
[ "$(objdump -h uki.plain | awk '$2 == ".profile" || $2 == ".pcrsig" {print $2}' | tr '\n' ' ')" = \
	".pcrsig .profile .profile .pcrsig " ] || fail "objcopy did not give the profile layout"
"$PEKEXEC" add-bpf --parser "$UKI" uki.plain uki.efi
sbsign --key key.pem --cert cert.pem --output uki.signed uki.efi 2>/dev/null

# A small seed for fuzz-stub-cpios: the stub with base and profile
# sections but no kernel (make check runs the fuzz targets after the tests).
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" seed.tmp .pcrsig=pcrsig.json \
	.pcrpkey=pcrpkey.pem .prof0=prof0.txt .prof1=prof1.txt .sig1=pcrsig1.json
mkdir -p "$BUILD/fuzz-seeds/fuzz-stub-cpios"
objcopy --rename-section .prof0=.profile --rename-section .prof1=.profile \
	--rename-section .sig1=.pcrsig seed.tmp "$BUILD/fuzz-seeds/fuzz-stub-cpios/profiles.efi"

# starts DIR: byte offsets of newc headers with inode 1 in DIR/initrd (the
# first entry of every archive the stub generates), one per line.
starts() { grep -obUa '07070100000001' "$1/initrd" | cut -d: -f1; }

# check_archive INITRD OFFSET FILE SOURCE: the archive at OFFSET holds
# exactly .extra (dr-xr-xr-x) then .extra/FILE (-r--r--r--), root-owned,
# mtime 0, FILE identical to SOURCE.
check_archive() {
	local initrd=$1 off=$2 file=$3 src=$4 d
	d=x.$off
	rm -rf "$d" && mkdir "$d"
	tail -c +$((off + 1)) "$initrd" >"$d.cpio"
	cpio -itv --numeric-uid-gid --quiet <"$d.cpio" >"$d.list"
	awk '{print $1, $3, $4, $9}' "$d.list" >"$d.got"
	printf '%s\n' "dr-xr-xr-x 0 0 .extra" "-r--r--r-- 0 0 .extra/$file" >"$d.want"
	diff -u "$d.want" "$d.got" || fail "archive at $off: members"
	grep -q ' 1970 ' "$d.list" || fail "archive at $off: mtime not 0: $(cat "$d.list")"
	(cd "$d" && cpio -id --quiet --no-absolute-filenames <"../$d.cpio")
	[ "$(sha "$d/.extra/$file")" = "$(sha "$src")" ] || fail "archive at $off: $file differs from $src"
	echo "archive at $off: .extra/$file = $src"
}

# --- profile 0: base .pcrsig and .pcrpkey ------------------------------------
"$PEKEXEC" extract --verify require --trust cert.pem -o p0 uki.signed
mapfile -t s < <(starts p0)
[ "${#s[@]}" -eq 4 ] || fail "profile 0: ${#s[@]} generated archives, expected 4"
# after .initrd, 4-byte aligned
[ "${s[0]}" -eq "$(align4 "$(stat -c %s base.img)")" ] || fail "first archive at ${s[0]}"
cmp -n "$(stat -c %s base.img)" p0/initrd base.img || fail "initrd does not start with .initrd"
check_archive p0/initrd "${s[0]}" tpm2-pcr-signature.json pcrsig.json
check_archive p0/initrd "${s[1]}" tpm2-pcr-public-key.pem pcrpkey.pem
check_archive p0/initrd "${s[2]}" os-release osrel.txt
check_archive p0/initrd "${s[3]}" profile prof0.txt
# the last archive ends the initrd, with the stub's trailer (cpio.c:
# inode 0, nlink 1, name size written "0000000B", four NULs)
z=00000000
printf '070701%s%s%s%s00000001%s%s%s%s%s%s0000000B%sTRAILER!!!\0\0\0\0' \
	$z $z $z $z $z $z $z $z $z $z $z >trailer.want
tail -c 124 p0/initrd >trailer.got
cmp trailer.got trailer.want || fail "trailer is not the stub's"
# the manifest agrees with what cpio saw
for i in 0 1 2 3; do
	grep -q "\"initrd_offset\": ${s[$i]}," p0/manifest.json || fail "manifest: offset ${s[$i]}"
done
[ "$(jq -r '[.generated[].source] | join(" ")' p0/manifest.json)" = ".pcrsig .pcrpkey .osrel .profile" ] ||
	fail "manifest: sources $(jq -c '[.generated[].source]' p0/manifest.json)"
grep -q "\"sha256\": \"$(sha pcrsig.json)\"" p0/manifest.json || fail "manifest: .pcrsig member"
grep -q '"mode": "100444"' p0/manifest.json || fail "manifest: member mode"
[ "$(cat p0/cmdline)" = "console=ttyS0" ] || fail "cmdline $(cat p0/cmdline)"

# --- profile 1: its own .pcrsig, the base's .pcrpkey --------------------------
"$PEKEXEC" extract --verify require --trust cert.pem --command-line @1 -o p1 uki.signed
mapfile -t s < <(starts p1)
[ "${#s[@]}" -eq 4 ] || fail "profile 1: ${#s[@]} generated archives"
check_archive p1/initrd "${s[0]}" tpm2-pcr-signature.json pcrsig1.json
check_archive p1/initrd "${s[1]}" tpm2-pcr-public-key.pem pcrpkey.pem
check_archive p1/initrd "${s[2]}" os-release osrel.txt
check_archive p1/initrd "${s[3]}" profile prof1.txt

# --- --no-sidecars: the parser program's initrd alone -------------------------
"$PEKEXEC" extract --no-sidecars -o ns uki.signed
cmp ns/initrd base.img || fail "--no-sidecars: initrd is not .initrd"
grep -q '"generated": \[\]' ns/manifest.json || fail "--no-sidecars: manifest lists archives"

# --- only .pcrpkey, no .initrd: the archive is the whole initrd ---------------
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" key.plain .pcrpkey=pcrpkey.pem .linux="$KERNEL"
"$PEKEXEC" add-bpf --parser "$UKI" key.plain key.efi
"$PEKEXEC" extract -o k key.efi
[ "$(starts k)" = 0 ] || fail "pcrpkey only: archive starts $(starts k | tr '\n' ' ')"
check_archive k/initrd 0 tpm2-pcr-public-key.pem pcrpkey.pem

# --- load --dry-run hands the kernel the same initrd ---------------------------
"$PEKEXEC" load --dry-run --no-kernel-bpf --verify require --trust cert.pem uki.signed >plan.txt
grep -q "^initrd   $(stat -c %s p0/initrd) bytes sha256 $(sha p0/initrd)\$" plan.txt ||
	fail "load --dry-run: $(grep initrd plan.txt)"
"$PEKEXEC" load --dry-run --no-kernel-bpf --no-sidecars uki.signed >plan-ns.txt
grep -q "^initrd   $(stat -c %s base.img) bytes sha256 $(sha base.img)\$" plan-ns.txt ||
	fail "load --dry-run --no-sidecars: $(grep initrd plan-ns.txt)"
# a CONFIG_KEXEC_BPF kernel (the executor's own BTF has the anchor) would
# drop the archives: auto keeps such an image in user space, unless
# --no-sidecars; --kernel-bpf warns
[ -x "$BUILD/pk-btf-dump" ] || fail "$BUILD/pk-btf-dump not built"
"$BUILD/pk-btf-dump" anchor.btf
PEKEXEC_KERNEL_BTF=anchor.btf "$PEKEXEC" load --dry-run uki.signed >plan-k.txt
grep -q '^source   pipeline' plan-k.txt || fail "auto with .pcrsig: $(grep source plan-k.txt)"
grep -q "^initrd   $(stat -c %s p0/initrd) bytes sha256 $(sha p0/initrd)\$" plan-k.txt ||
	fail "auto with .pcrsig: initrd"
PEKEXEC_KERNEL_BTF=anchor.btf "$PEKEXEC" load --dry-run --no-sidecars uki.signed >plan-k.txt
grep -q '^source   kernel-bpf' plan-k.txt || fail "auto --no-sidecars: $(grep source plan-k.txt)"
"$PEKEXEC" load --dry-run --kernel-bpf uki.signed >plan-k.txt 2>warn.txt
grep -q 'archives are not added' warn.txt || fail "--kernel-bpf: no warning"

# === --esp: sidecars =========================================================
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" >out.txt 2>err.txt || rc=$?
	sed 's/^/    /' err.txt
	[ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $*"
}
mkaddon() { # OUT SECTION=FILE...: objcopy on the stub, add-bpf, sbsign
	local out=$1
	shift
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$out.plain" "$@"
	"$PEKEXEC" add-bpf --parser "$UKI" "$out.plain" "$out.unsigned"
	sbsign --key key.pem --cert cert.pem --output "$out" "$out.unsigned" 2>/dev/null
}
printf 'global.a=1' >ga.txt
printf 'global.b=1' >gb.txt
printf 'local=1\n' >la.txt
head -c 3001 /dev/urandom >addon.img
mkaddon a-first.addon.efi .cmdline=ga.txt
mkaddon b-second.addon.efi .cmdline=gb.txt
mkaddon local.addon.efi .cmdline=la.txt .initrd=addon.img

mkcred() { # NAME OUT
	printf 'value of %s\n' "$1" >"$1.plain"
	systemd-creds encrypt --with-key=null --name="$1" "$1.plain" "$2" 2>/dev/null ||
		cp "$1.plain" "$2"
}
mkdir -p ext/usr/lib/extension-release.d ext/usr/share/pk
printf 'ID=_any\nEXTENSION_RELOAD_MANAGER=0\n' >ext/usr/lib/extension-release.d/extension-release.pk
echo hello >ext/usr/share/pk/hello
mksquashfs ext pk.sysext.raw -all-root -noappend -quiet >/dev/null
head -c 777 /dev/urandom >pk.confext.raw
head -c 555 /dev/urandom >g.sysext.raw

esp=esp
x=$esp/EFI/Linux/uki.efi.extra.d
mkdir -p "$esp/EFI/Linux" "$esp/loader/addons" "$esp/loader/credentials" "$esp/loader/extensions" "$x"
cp uki.signed "$esp/EFI/Linux/uki.efi"
cp b-second.addon.efi a-first.addon.efi "$esp/loader/addons/"
cp local.addon.efi "$x/"
mkcred b "$x/b.cred"
mkcred a "$x/A.cred"   # "A" < "b": strcmp order, not case-folded
mkcred g "$esp/loader/credentials/g.cred"
cp pk.sysext.raw pk.confext.raw "$x/"
cp g.sysext.raw "$esp/loader/extensions/"
# skipped, as the stub skips them (or because we never follow links)
mkcred h "$x/.hidden.cred"
mkdir "$x/dir.cred"
ln -s A.cred "$x/link.cred"
ln -s loop.cred "$x/loop.cred"
echo nope >"$x/readme.txt"

"$PEKEXEC" extract --verify require --trust cert.pem --esp "$esp" -o e "$esp/EFI/Linux/uki.efi"
[ "$(cat e/cmdline)" = "console=ttyS0 global.a=1 global.b=1 local=1" ] ||
	fail "--esp: cmdline '$(cat e/cmdline)'"
mapfile -t s < <(starts e)
[ "${#s[@]}" -eq 9 ] || fail "--esp: ${#s[@]} archives, expected 9"
[ "${s[0]}" -eq "$(align4 "$(stat -c %s base.img)")" ] || fail "--esp: first archive at ${s[0]}"
# list ARCHIVE-OFFSET EXPECTED-LINE...: cpio -itv of that archive
list() {
	local off=$1
	shift
	# files, not pipes: cpio stops at the trailer (SIGPIPE under pipefail)
	tail -c +$((off + 1)) e/initrd >part.cpio
	cpio -itv --numeric-uid-gid --quiet <part.cpio | awk '{print $1, $3, $4, $9}' >got.list
	printf '%s\n' "$@" >want.list
	diff -u want.list got.list || fail "archive at $off"
}
list "${s[0]}" "dr-xr-xr-x 0 0 .extra" "dr-x------ 0 0 .extra/credentials" \
	"-r-------- 0 0 .extra/credentials/A.cred" "-r-------- 0 0 .extra/credentials/b.cred"
list "${s[1]}" "dr-xr-xr-x 0 0 .extra" "dr-x------ 0 0 .extra/global_credentials" \
	"-r-------- 0 0 .extra/global_credentials/g.cred"
list "${s[2]}" "dr-xr-xr-x 0 0 .extra" "dr-xr-xr-x 0 0 .extra/sysext" \
	"-r--r--r-- 0 0 .extra/sysext/pk.sysext.raw"
list "${s[3]}" "dr-xr-xr-x 0 0 .extra" "dr-xr-xr-x 0 0 .extra/global_sysext" \
	"-r--r--r-- 0 0 .extra/global_sysext/g.sysext.raw"
list "${s[4]}" "dr-xr-xr-x 0 0 .extra" "dr-xr-xr-x 0 0 .extra/confext" \
	"-r--r--r-- 0 0 .extra/confext/pk.confext.raw"
check_archive e/initrd "${s[5]}" tpm2-pcr-signature.json pcrsig.json
check_archive e/initrd "${s[6]}" tpm2-pcr-public-key.pem pcrpkey.pem
check_archive e/initrd "${s[7]}" os-release osrel.txt
check_archive e/initrd "${s[8]}" profile prof0.txt
# contents: every archive extracted into one tree, as the kernel unpacks them
rm -rf root && mkdir root
for off in "${s[@]:0:5}"; do
	tail -c +$((off + 1)) e/initrd >part.cpio
	(cd root && cpio -id --quiet --no-absolute-filenames <../part.cpio)
done
[ "$(sha root/.extra/credentials/A.cred)" = "$(sha "$x/A.cred")" ] || fail "A.cred"
[ "$(sha root/.extra/credentials/b.cred)" = "$(sha "$x/b.cred")" ] || fail "b.cred"
[ "$(sha root/.extra/global_credentials/g.cred)" = "$(sha "$esp/loader/credentials/g.cred")" ] || fail "g.cred"
[ "$(sha root/.extra/sysext/pk.sysext.raw)" = "$(sha pk.sysext.raw)" ] || fail "sysext"
[ "$(sha root/.extra/global_sysext/g.sysext.raw)" = "$(sha g.sysext.raw)" ] || fail "global sysext"
[ "$(sha root/.extra/confext/pk.confext.raw)" = "$(sha pk.confext.raw)" ] || fail "confext"
if command -v unsquashfs >/dev/null; then
	unsquashfs -cat root/.extra/sysext/pk.sysext.raw usr/lib/extension-release.d/extension-release.pk >rel.txt
	grep -q '^ID=_any$' rel.txt || fail "sysext: extension-release not readable"
fi
# the add-on's .initrd ends the initrd, after the last archive
tail -c "$(stat -c %s addon.img)" e/initrd >last.img
cmp last.img addon.img || fail "--esp: add-on initrd not last"
# the manifest: used and skipped, with reasons
for want in '"path": "loader/addons/a-first.addon.efi"' '"signature": "verified"' \
	'"signature": "not-checked"' '"reason": "name starts with' \
	'"reason": "a directory (the stub skips it)"' '"reason": "not a regular file'; do
	grep -qF "$want" e/manifest.json || fail "--esp manifest: no $want"
done
[ "$(grep -c '"reason": "not a regular file' e/manifest.json)" -eq 2 ] || fail "--esp: link.cred and loop.cred not both skipped"
grep -q 'readme' e/manifest.json && fail "--esp: readme.txt listed"
# add-on order: global sorted, then local
grep -o '"image": "[^"]*addon.efi"' e/manifest.json | tr '\n' ' ' >order.txt
[ "$(cat order.txt)" = '"image": "loader/addons/a-first.addon.efi" "image": "loader/addons/b-second.addon.efi" "image": "EFI/Linux/uki.efi.extra.d/local.addon.efi" ' ] ||
	fail "--esp: add-on order $(cat order.txt)"
# load --dry-run: the same initrd and command line
"$PEKEXEC" load --dry-run --no-kernel-bpf --verify require --trust cert.pem --esp "$esp" \
	"$esp/EFI/Linux/uki.efi" >plan-esp.txt
grep -q "^initrd   $(stat -c %s e/initrd) bytes sha256 $(sha e/initrd)\$" plan-esp.txt ||
	fail "load --esp: $(grep initrd plan-esp.txt)"
grep -qF 'cmdline  "console=ttyS0 global.a=1 global.b=1 local=1"' plan-esp.txt || fail "load --esp: cmdline"
# --no-sidecars: nothing searched, nothing generated
"$PEKEXEC" extract --esp "$esp" --no-sidecars -o e-ns "$esp/EFI/Linux/uki.efi"
cmp e-ns/initrd base.img || fail "--esp --no-sidecars: initrd"
# an image outside the ESP is a usage error
expect_exit 2 "$PEKEXEC" extract --esp "$esp" -o e-out uki.signed
grep -q "is not under --esp" err.txt || fail "outside the ESP: message"

# --- add-ons as ukify / objcopy on the stub build them: no .bpf -------------
# The UKI's own (signed) parser program reads them as an add-on stage.
head -c 2001 /dev/urandom >raw-initrd.img
head -c 1001 /dev/urandom >raw-ucode.bin
printf 'raw.addon=1' >raw.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" raw.plain .cmdline=raw.txt \
	.initrd=raw-initrd.img .ucode=raw-ucode.bin
! objdump -h raw.plain | awk '{print $2}' | grep -qx '\.bpf' || fail "raw add-on has a .bpf section"
sbsign --key key.pem --cert cert.pem --output raw.addon.efi raw.plain 2>/dev/null
rm -rf raw && mkdir -p raw/EFI/Linux raw/loader/addons
cp uki.signed raw/EFI/Linux/uki.efi
cp raw.addon.efi raw/loader/addons/
"$PEKEXEC" extract --verify require --trust cert.pem --esp raw -o o-raw raw/EFI/Linux/uki.efi
[ "$(cat o-raw/cmdline)" = "console=ttyS0 raw.addon=1" ] || fail "raw add-on: cmdline '$(cat o-raw/cmdline)'"
cmp -n "$(stat -c %s raw-ucode.bin)" o-raw/initrd raw-ucode.bin || fail "raw add-on: .ucode does not start the initrd"
tail -c "$(stat -c %s raw-initrd.img)" o-raw/initrd >raw-last.img
cmp raw-last.img raw-initrd.img || fail "raw add-on: .initrd does not end the initrd"
# the program that ran is the UKI's .bpf (bytes from objcopy, cut to the
# section's size as the stage record gives it)
objcopy --dump-section .bpf=uki-bpf.raw uki.signed dump.tmp
head -c "$(jq '.stages[0].program.size' o-raw/manifest.json)" uki-bpf.raw >uki-bpf.bin
jq -e --arg h "$(sha uki-bpf.bin)" \
	'[.stages[] | select(.kind == "addon")] | length == 1 and .[0].program.sha256 == $h and .[0].signature == "verified"' \
	o-raw/manifest.json >/dev/null || fail "raw add-on: not run by the UKI's program: $(jq -c '.stages[1].program' o-raw/manifest.json)"
# --addon: the same
"$PEKEXEC" extract --verify require --trust cert.pem --addon raw.addon.efi -o o-raw2 uki.signed
cmp o-raw/initrd o-raw2/initrd && [ "$(cat o-raw2/cmdline)" = "console=ttyS0 raw.addon=1" ] ||
	fail "--addon raw add-on differs from the ESP's"
echo "add-on without .bpf: read by the UKI's program (.ucode first, .initrd last, command line appended)"
# two .ucode add-ons: the stub passes them last add-on first (stub.c
# measure_and_append_ucode_addons(): the kernel takes the first it finds)
head -c 501 /dev/urandom >raw-ucode2.bin
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" raw2.plain .ucode=raw-ucode2.bin
sbsign --key key.pem --cert cert.pem --output raw2.addon.efi raw2.plain 2>/dev/null
cp raw2.addon.efi raw/loader/addons/z-second.addon.efi   # after raw.addon.efi by name
"$PEKEXEC" extract --verify require --trust cert.pem --esp raw -o o-raw3 raw/EFI/Linux/uki.efi
{ cat raw-ucode2.bin; head -c $(((4 - $(stat -c %s raw-ucode2.bin) % 4) % 4)) /dev/zero; cat raw-ucode.bin; } >ucodes.want
cmp -n "$(stat -c %s ucodes.want)" o-raw3/initrd ucodes.want ||
	fail "two .ucode add-ons: the initrd does not start with the second's .ucode, then the first's"
echo "two .ucode add-ons: the last one's first, as the stub passes them"

# --- bad ESPs: refused, nothing written or loaded ---------------------------
bad_addon() { # WANT-EXIT NAME ADDON-FILE [extract options]
	local want=$1 name=$2 file=$3
	shift 3
	rm -rf bad && mkdir -p bad/EFI/Linux bad/loader/addons
	cp uki.signed bad/EFI/Linux/uki.efi
	cp "$file" "bad/loader/addons/$name"
	expect_exit "$want" "$PEKEXEC" extract --esp bad "$@" -o "o-$name" bad/EFI/Linux/uki.efi
	[ ! -e "o-$name" ] || fail "$name: output written"
	expect_exit "$want" "$PEKEXEC" load --dry-run --no-kernel-bpf --esp bad "$@" bad/EFI/Linux/uki.efi
	[ ! -s out.txt ] || fail "$name: load --dry-run printed a plan"
}
printf '6.1.0-other' >uname-bad
mkaddon withlinux.addon.efi .cmdline=ga.txt .linux="$KERNEL"
mkaddon baduname.addon.efi .cmdline=ga.txt .uname=uname-bad
printf '6.1.0-own' >uname-own
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" un.plain .uname=uname-own .cmdline=cmdline.txt \
	.linux="$KERNEL"
"$PEKEXEC" add-bpf --parser "$UKI" un.plain un.efi
sbsign --key key.pem --cert cert.pem --output un.signed un.efi 2>/dev/null
bad_addon 8 withlinux.addon.efi withlinux.addon.efi
grep -q '\.linux' err.txt || fail "add-on with .linux: message"
bad_addon 4 unsigned.addon.efi a-first.addon.efi.unsigned --verify require --trust cert.pem
bad_addon 4 rawunsigned.addon.efi raw.plain --verify require --trust cert.pem
# a raw add-on with .linux: refused before any program runs
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" rawlinux.plain .cmdline=raw.txt .linux="$KERNEL"
bad_addon 8 rawlinux.addon.efi rawlinux.plain
# .uname: against a UKI that has one
rm -rf bu && mkdir -p bu/EFI/Linux bu/loader/addons
cp un.signed bu/EFI/Linux/uki.efi
cp baduname.addon.efi bu/loader/addons/
expect_exit 8 "$PEKEXEC" extract --esp bu -o o-bu bu/EFI/Linux/uki.efi
grep -q 'uname' err.txt || fail "wrong .uname: message"
[ ! -e o-bu ] || fail "wrong .uname: output written"

# a .cred over cpio's 4 GiB - 1 (sparse: never read): the stub drops that
# directory's archive; the other directories still go in
rm -rf big && mkdir -p big/EFI/Linux/uki.efi.extra.d big/loader/credentials
cp uki.signed big/EFI/Linux/uki.efi
truncate -s 4G big/EFI/Linux/uki.efi.extra.d/huge.cred
mkcred ok big/EFI/Linux/uki.efi.extra.d/ok.cred
mkcred g big/loader/credentials/g.cred
"$PEKEXEC" extract --esp big -o o-big big/EFI/Linux/uki.efi 2>err.txt
grep -q 'over 4 GiB' err.txt || fail "huge .cred: no warning"
grep -q '"path": "EFI/Linux/uki.efi.extra.d/ok.cred"' o-big/manifest.json || fail "huge: ok.cred not listed"
grep -q 'the stub drops the archive' o-big/manifest.json || fail "huge: reason"
grep -qa 'global_credentials/g.cred' o-big/initrd || fail "huge: global credentials missing"
grep -qa '\.extra/credentials' o-big/initrd && fail "huge: local credentials archive present"

# 10,000 files: refused with a clear message
rm -rf many && mkdir -p many/EFI/Linux many/loader/credentials
cp uki.signed many/EFI/Linux/uki.efi
(cd many/loader/credentials && seq -f 'c%05g.cred' 1 10000 | xargs touch)
expect_exit 1 "$PEKEXEC" extract --esp many -o o-many many/EFI/Linux/uki.efi
grep -q 'more than 4096 entries' err.txt || fail "10,000 files: message"
[ ! -e o-many ] || fail "10,000 files: output written"

# the UKI's .extra.d is a symlink loop: not read, said so
rm -rf lp && mkdir -p lp/EFI/Linux
cp uki.signed lp/EFI/Linux/uki.efi
ln -s uki.efi.extra.d lp/EFI/Linux/uki.efi.extra.d
"$PEKEXEC" extract --esp lp -o o-lp lp/EFI/Linux/uki.efi 2>err.txt
grep -q 'not a directory (a symlink' o-lp/manifest.json || fail "symlink loop: manifest"
echo "ok"
