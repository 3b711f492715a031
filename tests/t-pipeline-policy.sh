#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-pipeline-policy.sh - the pipeline's choices, on UKIs built from
# Debian's kernel and systemd's stub:
#   - multi-profile UKIs: no "@N" = profile 0, "@N " selects profile N and
#     is stripped, profile sections override the base, a missing profile
#     fails;
#   - add-ons (objcopy-built PEs + add-bpf): good (command line appended,
#     initrd pieces in systemd-stub order), wrong .uname, with .linux,
#     unsigned under require;
#   - user command line / initrd next to the image's, with and without
#     enforcement.
# Oracles: the input files and strings; expected initrds are assembled
# with cat and zero padding to 4 bytes between pieces.
set -euo pipefail

. "$TOP/tests/lib/uki-inputs.sh" objcopy objdump openssl sbsign

expect_exit() {
	local want=$1 rc=0
	shift
	"$@" 2>err.txt || rc=$?
	sed 's/^/    /' err.txt
	[ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $*"
}

# join OUT FILE...: the files concatenated, each starting 4-byte aligned.
join4() {
	local out=$1 f size
	shift
	: >"$out"
	for f in "$@"; do
		[ -s "$f" ] || continue
		size=$(stat -c %s "$out")
		[ "$size" -eq 0 ] || head -c $(((4 - size % 4) % 4)) /dev/zero >>"$out"
		cat "$f" >>"$out"
	done
}

check() { # DIR INITRD-ORACLE CMDLINE
	cmp "$1/kernel" "$KERNEL" || fail "$1: kernel"
	if [ -n "$2" ]; then cmp "$1/initrd" "$2" || fail "$1: initrd differs from $2"
	else [ ! -s "$1/initrd" ] || fail "$1: initrd not empty"; fi
	[ "$(cat "$1/cmdline")" = "$3" ] || fail "$1: cmdline '$(cat "$1/cmdline")', expected '$3'"
}

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-policy -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null
head -c 10001 /dev/urandom >base.img
head -c 20002 /dev/urandom >prof1.img
head -c 30003 /dev/urandom >user.img
head -c 777 /dev/urandom >ucode.bin
head -c 4003 /dev/urandom >addon.img
head -c 99 /dev/urandom >addon-ucode.bin

# --- profiles -------------------------------------------------------------
# (--no-sidecars: the selected profile's sections alone; the stub's
# /.extra/profile archive each profile adds is t-sidecars.sh's)
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd base.img --cmdline "base=1" \
	--profile "ID=zero,cmdline=prof0=1" --profile "ID=one,initrd=prof1.img" \
	--stub "$STUB" --parser "$UKI" -o prof.efi
"$PEKEXEC" extract --no-sidecars -o p-none prof.efi
check p-none base.img "prof0=1"
"$PEKEXEC" extract --no-sidecars --command-line "@0" -o p-0 prof.efi
check p-0 base.img "prof0=1"
"$PEKEXEC" extract --no-sidecars --command-line "@1" -o p-1 prof.efi
check p-1 prof1.img "base=1"
grep -q '"profile": 1' p-1/manifest.json || fail "manifest: profile 1"
expect_exit 7 "$PEKEXEC" extract --command-line "@2" -o p-2 prof.efi
[ ! -e p-2 ] || fail "missing profile left output"
# "@1 quiet": profile 1, and "quiet" is a user command line (not enforcing: it wins)
"$PEKEXEC" extract --no-sidecars --command-line "@1 quiet" -o p-1q prof.efi
check p-1q prof1.img "quiet"
echo "profiles: default 0, @0, @1 (base .cmdline, own .initrd), @2 missing: exit 7, '@1 quiet'"

# --- add-ons ---------------------------------------------------------------
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd base.img --ucode ucode.bin \
	--cmdline "console=ttyS0" --uname 6.1.0-test --stub "$STUB" --parser "$UKI" \
	--key key.pem --cert cert.pem -o main.signed
mkaddon() { # OUT SECTION=FILE...
	local out=$1
	shift
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$out.plain" "$@"
	"$PEKEXEC" add-bpf --parser "$UKI" "$out.plain" "$out.efi"
	sbsign --key key.pem --cert cert.pem --output "$out.signed" "$out.efi" 2>/dev/null
}
printf '6.1.0-test' >uname-ok
printf '6.1.0-other' >uname-bad
printf 'addon=1\n' >addon-cmd
printf 'addon=2' >addon-cmd2
mkaddon good .cmdline=addon-cmd .initrd=addon.img .ucode=addon-ucode.bin .uname=uname-ok
mkaddon good2 .cmdline=addon-cmd2
mkaddon baduname .cmdline=addon-cmd .uname=uname-bad
mkaddon withlinux .cmdline=addon-cmd .linux="$KERNEL"

"$PEKEXEC" extract --verify require --trust cert.pem --addon good.signed \
	--addon good2.signed -o a-good main.signed
# systemd-stub order: add-on .ucode, .ucode, (loader initrd), .initrd, add-on initrds
join4 want-good addon-ucode.bin ucode.bin base.img addon.img
check a-good want-good "console=ttyS0 addon=1 addon=2"
n=$(grep -c '"kind": "addon"' a-good/manifest.json)
[ "$n" -eq 2 ] || fail "manifest: $n add-on stages"
echo "add-ons: command lines appended in order, initrd in systemd-stub order"

expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --addon baduname.signed -o a-u main.signed
grep -q "uname" err.txt || fail "wrong .uname: message does not say why"
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --addon withlinux.signed -o a-l main.signed
grep -q "\.linux" err.txt || fail "add-on with .linux: message"
expect_exit 4 "$PEKEXEC" extract --verify require --trust cert.pem --addon good.efi -o a-n main.signed
grep -q "add-on" err.txt || fail "unsigned add-on: message does not name the add-on"
"$PEKEXEC" extract --verify auto --addon good.efi -o a-auto main.signed
check a-auto want-good "console=ttyS0 addon=1"
for d in a-u a-l a-n; do [ ! -e "$d" ] || fail "refused add-on left $d"; done
echo "add-ons refused: wrong .uname (8), .linux (8), unsigned under require (4)"

# --- user command line / initrd next to the image's ---------------------------
# enforcing (require, signed): refused
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --command-line "evil=1" -o u1 main.signed
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --append "evil=1" -o u2 main.signed
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --initrd user.img -o u3 main.signed
# not enforcing: the user's command line wins; the user initrd goes between
# .ucode and .initrd
"$PEKEXEC" extract --verify auto --command-line "root=/dev/sda" --append "ro" \
	--initrd user.img -o u4 main.signed
join4 want-u4 ucode.bin user.img base.img
check u4 want-u4 "root=/dev/sda ro"
grep -q '"source": "both"' u4/manifest.json || fail "manifest: initrd source"
grep -q '"source": "user"' u4/manifest.json || fail "manifest: cmdline source"
# an image without .initrd / .cmdline: user ones are fine even when enforcing
"$PEKEXEC" build-uki --linux "$KERNEL" --stub "$STUB" --parser "$UKI" \
	--key key.pem --cert cert.pem -o bare.signed
"$PEKEXEC" extract --verify require --trust cert.pem --command-line "root=/dev/sda" \
	--initrd user.img -o u5 bare.signed
check u5 user.img "root=/dev/sda"
echo "user cmdline/initrd: refused under enforcement (8), else user wins / systemd order"

# --- a user command line equal to the image's own is not an override --------
# systemd 252 runs "kexec --load UKI --append <the UKI's .cmdline>" (docs/kexec.md).
# Oracle: the .cmdline section's bytes (objcopy), trailing white space cut.
printf 'console=ttyS0  quiet\tsplash\n' >own-cmd
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd base.img --cmdline @own-cmd --stub "$STUB" \
	--parser "$UKI" --key key.pem --cert cert.pem -o own.signed
objcopy -O binary --only-section=.cmdline own.signed own.cmdline
own=$(cat own.cmdline) # $(...) drops the trailing newline
[ "$own" = "$(printf 'console=ttyS0  quiet\tsplash')" ] || fail "objcopy: .cmdline '$own'"
same=$'  console=ttyS0 quiet   splash \n'
for opt in --command-line --append; do
	expect_exit 0 "$PEKEXEC" extract --verify require --trust cert.pem "$opt" "$same" -o e$opt own.signed
	check e$opt base.img "$own"
	grep -q '"source": "image"' e$opt/manifest.json || fail "equal $opt: cmdline source is not the image"
	! grep -q "replaces" err.txt || fail "equal $opt: warned that the user line replaces the image's"
done
# not enforcing: no warning either, the image's bytes come out
expect_exit 0 "$PEKEXEC" extract --verify auto --command-line "$same" -o e-auto own.signed
! grep -q "replaces" err.txt || fail "equal, auto: warned"
check e-auto base.img "$own"
# different lines: refused under enforcement, also one word more, less or cut short
for other in "console=ttyS0 quiet" "console=ttyS0 quiet splash x" "console=ttyS0 quiet splas" \
	"console=ttyS0quiet splash" "Console=ttyS0 quiet splash"; do
	expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --append "$other" -o e-x own.signed
	[ ! -e e-x ] || fail "refused '$other' left output"
done
# not enforcing, different: the user's wins with the warning
expect_exit 0 "$PEKEXEC" extract --verify auto --append "quiet" -o e-diff own.signed
grep -q "replaces the image's" err.txt || fail "different, auto: no warning"
check e-diff base.img "quiet"
echo "equal user command line: accepted silently (require and auto); different: 8"

# with add-ons: the image's own line (systemd passes the .cmdline) and the
# final line both count as equal; the add-on's text is appended once
"$PEKEXEC" extract --verify require --trust cert.pem --addon good2.signed \
	--append "$same" -o ea1 own.signed
check ea1 base.img "$own addon=2"
"$PEKEXEC" extract --verify require --trust cert.pem --addon good2.signed \
	--append "console=ttyS0 quiet splash addon=2" -o ea2 own.signed
check ea2 base.img "$own addon=2"
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --addon good2.signed \
	--append "addon=2" -o ea3 own.signed
echo "equal with add-ons: before and after add-ons accepted, the add-on's alone: 8"

# profiles: equal to the selected profile's line
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd base.img --cmdline "base=1" \
	--profile "ID=zero,cmdline=prof0=1" --profile "ID=one,initrd=prof1.img" \
	--stub "$STUB" --parser "$UKI" --key key.pem --cert cert.pem -o prof.signed
expect_exit 0 "$PEKEXEC" extract --no-sidecars --verify require --trust cert.pem --command-line "prof0=1" -o ep0 prof.signed
check ep0 base.img "prof0=1"
expect_exit 0 "$PEKEXEC" extract --no-sidecars --verify require --trust cert.pem --command-line "@1  base=1 " -o ep1 prof.signed
check ep1 prof1.img "base=1"
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --command-line "@1 prof0=1" -o ep2 prof.signed
expect_exit 8 "$PEKEXEC" extract --verify require --trust cert.pem --command-line "base=1" -o ep3 prof.signed
echo "equal per profile: @1 + profile 1's line accepted, another profile's: 8"

# load --dry-run, and systemd 252's argv: pekexec run as kexec
field() { sed -n "s/^$1 *//p" "$2"; }
expect_exit 0 "$PEKEXEC" load --dry-run --verify require --trust cert.pem --append "$same" own.signed >lo
[ "$(field cmdline lo)" = "\"$own\"" ] || fail "load: cmdline $(field cmdline lo), want \"$own\""
! grep -q "replaces" err.txt || fail "load, equal: warned"
expect_exit 8 "$PEKEXEC" load --dry-run --verify require --trust cert.pem --append "quiet" own.signed
ln -sf "$PEKEXEC" kexec
expect_exit 0 ./kexec --load own.signed --append "$(cat own.cmdline)" --dry-run >lk
[ "$(field cmdline lk)" = "\"$own\"" ] || fail "kexec --load --append: cmdline $(field cmdline lk)"
! grep -q "replaces" err.txt || fail "kexec --load, equal: warned"
# enforcing, as systemd runs it with pekexec's options added
expect_exit 0 ./kexec --load own.signed --append "$(cat own.cmdline)" --verify require \
	--trust=cert.pem --no-kernel-bpf --dry-run >lk
[ "$(field cmdline lk)" = "\"$own\"" ] || fail "kexec --verify require, equal: cmdline $(field cmdline lk)"
expect_exit 8 ./kexec --load own.signed --append "quiet" --verify require --trust=cert.pem \
	--no-kernel-bpf --dry-run
if ! grep -qs '\[\(integrity\|confidentiality\)\]' /sys/kernel/security/lockdown; then
	expect_exit 0 ./kexec --load own.signed --append "evil=1" --dry-run >lk
	[ "$(field cmdline lk)" = '"evil=1"' ] || fail "kexec, not enforcing: the user's line should win"
fi
echo "load and 'kexec --load UKI --append <its .cmdline>': the image's line"
