#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-sidecars.sh - what systemd-stub adds to a UKI's initrd at boot, done by
# extract/load (docs/pipeline.md §4 "Generated cpio archives"):
#   - .pcrsig / .pcrpkey of the selected profile as one newc archive each,
#     /.extra/tpm2-pcr-signature.json and /.extra/tpm2-pcr-public-key.pem,
#     after the UKI's .initrd, before add-on initrds;
#   - a profile's own .pcrsig wins over the base's, the base's .pcrpkey
#     is seen by every profile;
#   - --no-sidecars leaves them out; load --dry-run gives the same initrd.
# UKIs are made with objcopy on systemd's stub (tests/lib/mkuki-objcopy.sh)
# + add-bpf, signed with sbsign.  Oracles: GNU cpio (-itv lists paths,
# modes, owners, times in the archive's order; -id extracts the files,
# compared with sha256sum against the section files); archive starts
# found by scanning the initrd for a newc header with inode 1 (grep -obUa),
# not from our manifest; the initrd's head compared with cmp.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in objcopy objdump openssl sbsign cpio sha256sum grep; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
KERNEL=$IMAGES/vmlinuz-amd64
STUB=$IMAGES/linuxx64.efi.stub
UKI=$BUILD/bpf/uki.bpf
[ -f "$KERNEL" ] && [ -f "$STUB" ] || skip "no \$IMAGES/vmlinuz-amd64 or linuxx64.efi.stub"
[ -f "$UKI" ] || skip "$UKI not built (make parsers)"

sha() { sha256sum "$1" | cut -d' ' -f1; }
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
[ "${#s[@]}" -eq 2 ] || fail "profile 0: ${#s[@]} generated archives, expected 2"
# after .initrd, 4-byte aligned
[ "${s[0]}" -eq "$(align4 "$(stat -c %s base.img)")" ] || fail "first archive at ${s[0]}"
cmp -n "$(stat -c %s base.img)" p0/initrd base.img || fail "initrd does not start with .initrd"
check_archive p0/initrd "${s[0]}" tpm2-pcr-signature.json pcrsig.json
check_archive p0/initrd "${s[1]}" tpm2-pcr-public-key.pem pcrpkey.pem
# the second archive ends the initrd, with the stub's trailer (cpio.c:
# inode 0, nlink 1, name size written "0000000B", four NULs)
z=00000000
printf '070701%s%s%s%s00000001%s%s%s%s%s%s0000000B%sTRAILER!!!\0\0\0\0' \
	$z $z $z $z $z $z $z $z $z $z $z >trailer.want
tail -c 124 p0/initrd | cmp - trailer.want || fail "trailer is not the stub's"
# the manifest agrees with what cpio saw
for i in 0 1; do
	grep -q "\"initrd_offset\": ${s[$i]}," p0/manifest.json || fail "manifest: offset ${s[$i]}"
done
grep -q "\"sha256\": \"$(sha pcrsig.json)\"" p0/manifest.json || fail "manifest: .pcrsig member"
grep -q '"mode": "100444"' p0/manifest.json || fail "manifest: member mode"
[ "$(cat p0/cmdline)" = "console=ttyS0" ] || fail "cmdline $(cat p0/cmdline)"

# --- profile 1: its own .pcrsig, the base's .pcrpkey --------------------------
"$PEKEXEC" extract --verify require --trust cert.pem --command-line @1 -o p1 uki.signed
mapfile -t s < <(starts p1)
[ "${#s[@]}" -eq 2 ] || fail "profile 1: ${#s[@]} generated archives"
check_archive p1/initrd "${s[0]}" tpm2-pcr-signature.json pcrsig1.json
check_archive p1/initrd "${s[1]}" tpm2-pcr-public-key.pem pcrpkey.pem

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
echo "ok"
