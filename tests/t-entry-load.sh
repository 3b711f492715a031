#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-entry-load.sh - extract/load --entry ID and --default: the boot entry is
# taken as systemd-boot would start it (docs/entries.md "Loading an
# entry"), from an ESP made here:
#   - Type #2: a two-profile UKI (objcopy on systemd's stub + add-bpf, the
#     real Debian kernel as .linux) with a credential in its .extra.d:
#     one entry per profile, the profile's .cmdline, the credential's
#     archive (the ESP's sidecars apply);
#   - Type #1 "linux" = the plain Debian kernel with two initrds (joined,
#     the first padded to 4 bytes) and two "options" lines: what load passes
#     through, extract writes as is, with "initrd=\PATH" options first;
#   - Type #1 "linux" = a UKI: its options are a user command line
#     (override without enforcement; exit 8 under --verify require);
#   - --default = what bootctl marks default (systemd-boot 252's bootctl,
#     unpacked into $IMAGES; SKIP of that part only when it cannot run);
#   - bad entries (no linux, '..', a symlink out of the ESP, an "efi"
#     program, an unknown id) and option conflicts: clear message, exit
#     1/2, nothing written.
# Oracles: sha256sum / cmp of the entry's own files and of the sections
# cut out with objcopy --dump-section, GNU cpio -t, bootctl list.
set -euo pipefail

. "$TOP/tests/lib/uki-inputs.sh" objcopy objdump openssl sbsign cpio sha256sum iconv jq

# the EFI variables (LoaderEntryDefault, ...) are this directory's, not the host's
export PEKEXEC_SYSFS_FIRMWARE=$PWD/fw
mkdir -p fw/efi/efivars
efivar() { # NAME VALUE: efivarfs layout, 4 bytes of attributes then UTF-16LE with a NUL
	{ printf '\x07\x00\x00\x00'; printf '%s\0' "$2" | iconv -f ASCII -t UTF-16LE; } \
		>"fw/efi/efivars/$1-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
}
# pad4 FILE: FILE then zeros up to a multiple of 4 bytes
pad4() { cat "$1"; head -c $(((4 - $(stat -c %s "$1") % 4) % 4)) /dev/zero; }

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-entries -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null

esp=$PWD/esp
mkdir -p "$esp/loader/entries" "$esp/EFI/Linux/deb.efi.extra.d" "$esp/EFI/other"

# --- a two-profile UKI (ukify's layout: base, then .profile + sections) ---
head -c 10001 /dev/urandom >base.img
printf 'console=ttyS0 base' >cmdline0.txt
printf 'console=ttyS0 rescue systemd.unit=rescue.target' >cmdline1.txt
printf 'ID=main\n' >prof0.txt
printf 'ID=rescue\nTITLE=Rescue\n' >prof1.txt
printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian 12"\n' >osrel.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" uki.tmp .osrel=osrel.txt \
	.cmdline=cmdline0.txt .initrd=base.img .linux="$KERNEL" \
	.prof0=prof0.txt .prof1=prof1.txt .cl1=cmdline1.txt
objcopy --rename-section .prof0=.profile --rename-section .prof1=.profile \
	--rename-section .cl1=.cmdline uki.tmp uki.plain
"$PEKEXEC" add-bpf --parser "$UKI" uki.plain "$esp/EFI/Linux/deb.efi"
# a small seed for fuzz-entries: the same layout with a one-byte .linux
printf k >k.bin
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" seed.tmp .osrel=osrel.txt \
	.cmdline=cmdline0.txt .linux=k.bin .prof0=prof0.txt .prof1=prof1.txt .cl1=cmdline1.txt
mkdir -p "$BUILD/fuzz-seeds/fuzz-entries"
objcopy --rename-section .prof0=.profile --rename-section .prof1=.profile \
	--rename-section .cl1=.cmdline seed.tmp "$BUILD/fuzz-seeds/fuzz-entries/profiles.efi"
printf 'secret-value' >"$esp/EFI/Linux/deb.efi.extra.d/pw.cred"
# the same UKI, signed, as the "linux" of a Type #1 entry
sbsign --key key.pem --cert cert.pem --output "$esp/EFI/other/u.efi" \
	"$esp/EFI/Linux/deb.efi" 2>/dev/null

# --- Type #1 entries -------------------------------------------------------
cp "$KERNEL" "$esp/vmlinuz"
head -c 1001 /dev/urandom >"$esp/i1.img"   # not a multiple of 4
head -c 2002 /dev/urandom >"$esp/i2.img"
conf() { local f=$esp/loader/entries/$1; shift; printf '%s\n' "$@" >"$f"; }
conf plain.conf "title Plain" "linux /vmlinuz" "initrd /i1.img" "initrd \\i2.img" \
	"options root=/dev/vda" "options quiet"
conf ukil.conf "title UKI as linux" "linux /EFI/other/u.efi" "options console=ttyS0 extra=1"
conf nolinux.conf "title no linux" "options x"
conf dotdot.conf "title dotdot" "linux /EFI/../../vmlinuz"
ln -s /etc/hostname "$esp/outside"
conf symlink.conf "title symlink" "linux /outside"
conf efi.conf "title an EFI program" "efi /EFI/other/u.efi"
printf 'default plain*\n' >"$esp/loader/loader.conf"

# --- Type #2: one entry per profile -------------------------------------
"$PEKEXEC" entries --json --esp "$esp" >entries.json
jq -e '[.entries[] | select(.type == "type2") | .id] == ["deb.efi", "deb.efi@rescue"]' entries.json >/dev/null ||
	fail "entries: profiles: $(jq -c '[.entries[].id]' entries.json)"
jq -e '.entries[] | select(.id == "deb.efi@rescue") | .title == "Debian 12 (Rescue)" and .profile == 1' \
	entries.json >/dev/null || fail "entries: deb.efi@rescue title/profile"

for p in 0 1; do
	id=deb.efi
	[ "$p" = 1 ] && id=deb.efi@rescue
	"$PEKEXEC" extract --entry "$id" --esp "$esp" -o "t2.$p" 2>"t2.$p.err"
	[ "$(sha "t2.$p/kernel")" = "$(sha "$KERNEL")" ] || fail "$id: kernel is not .linux"
	cmp -s "t2.$p/cmdline" "cmdline$p.txt" || fail "$id: cmdline '$(cat "t2.$p/cmdline")' is not profile $p's"
	cmp -n 10001 "t2.$p/initrd" base.img || fail "$id: initrd does not start with .initrd"
	tail -c +10005 "t2.$p/initrd" | cpio -t --quiet 2>/dev/null >"t2.$p.list" || true
	grep -qx '.extra/credentials/pw.cred' "t2.$p.list" ||
		fail "$id: the credential of deb.efi.extra.d is not in the initrd: $(cat "t2.$p.list")"
	jq -e --arg id "$id" --argjson p "$p" '.entry.id == $id and .entry.profile == $p and .entry.route == "pipeline" and .policy.profile == $p' \
		"t2.$p/manifest.json" >/dev/null || fail "$id: manifest entry"
	echo "$id: kernel = .linux, cmdline = profile $p's, .initrd + pw.cred archive"
done
# --no-sidecars: no credential
"$PEKEXEC" extract --entry deb.efi --esp "$esp" --no-sidecars -o t2.ns
cmp -s t2.ns/initrd base.img || fail "--no-sidecars: initrd is not .initrd alone"

# --- Type #1 "linux" = the plain kernel ----------------------------------
"$PEKEXEC" extract --entry plain.conf --esp "$esp" -o t1
cmp -s t1/kernel "$KERNEL" || fail "plain.conf: kernel is not /vmlinuz"
{ pad4 "$esp/i1.img"; cat "$esp/i2.img"; } >t1.initrd.want
cmp -s t1/initrd t1.initrd.want || fail "plain.conf: initrd is not i1 (padded) + i2"
printf '%s' 'initrd=\i1.img initrd=\i2.img root=/dev/vda quiet' >t1.cmdline.want
cmp -s t1/cmdline t1.cmdline.want || fail "plain.conf: cmdline '$(cat t1/cmdline)'"
jq -e '.entry.route == "plain" and .entry.loader == "linux" and .entry.initrds == 2 and .stages == []' \
	t1/manifest.json >/dev/null || fail "plain.conf: manifest entry"
"$PEKEXEC" load --dry-run --entry plain.conf --esp "$esp" >t1.plan
grep -q '^source   pass-through' t1.plan || fail "load plain.conf: not passed through: $(cat t1.plan)"
grep -q "^initrd   $(stat -c %s t1.initrd.want) bytes sha256 $(sha t1.initrd.want)\$" t1.plan ||
	fail "load plain.conf: initrd: $(cat t1.plan)"
grep -qF 'cmdline  "initrd=\i1.img initrd=\i2.img root=/dev/vda quiet"' t1.plan ||
	fail "load plain.conf: cmdline: $(cat t1.plan)"
echo "plain.conf: kernel, initrds joined, 'initrd=' options; load passes it through"

# --- Type #1 "linux" = a UKI: the options are a user command line --------
"$PEKEXEC" extract --entry ukil.conf --esp "$esp" -o t1u 2>t1u.err
cmp -s t1u/kernel "$KERNEL" || fail "ukil.conf: kernel"
printf '%s' 'console=ttyS0 extra=1' >t1u.cmdline.want
cmp -s t1u/cmdline t1u.cmdline.want || fail "ukil.conf: cmdline '$(cat t1u/cmdline)'"
jq -e '.outputs.cmdline.source == "user"' t1u/manifest.json >/dev/null || fail "ukil.conf: cmdline source"
rc=0
"$PEKEXEC" extract --verify require --trust cert.pem --entry ukil.conf --esp "$esp" -o t1r 2>t1r.err || rc=$?
[ "$rc" -eq 8 ] || fail "ukil.conf under require: exit $rc, expected 8: $(cat t1r.err)"
[ ! -e t1r/kernel ] || fail "ukil.conf under require: something written"
echo "ukil.conf: options override the UKI's .cmdline; refused under --verify require (exit 8)"

# --- bad entries, conflicts: clear message, nothing written ------------------
bad() { # WANT-RC PATTERN ARGS...
	local want=$1 pat=$2 rc=0
	shift 2
	rm -rf bad.out
	"$PEKEXEC" extract "$@" -o bad.out 2>bad.err || rc=$?
	[ "$rc" -eq "$want" ] || fail "extract $*: exit $rc, expected $want: $(cat bad.err)"
	grep -q -- "$pat" bad.err || fail "extract $*: message '$(cat bad.err)' lacks '$pat'"
	[ ! -e bad.out/kernel ] || fail "extract $*: wrote a kernel"
	rc=0
	"$PEKEXEC" load --dry-run "$@" >/dev/null 2>bad.err || rc=$?
	[ "$rc" -eq "$want" ] || fail "load $*: exit $rc, expected $want: $(cat bad.err)"
	echo "refused ($want): $*: $(head -1 bad.err)"
}
bad 1 "no 'linux'" --entry nolinux.conf --esp "$esp"
bad 1 "'\.\.' in a path" --entry dotdot.conf --esp "$esp"
bad 1 "symlink out of the ESP" --entry symlink.conf --esp "$esp"
bad 1 "EFI program" --entry efi.conf --esp "$esp"
bad 2 "no entry 'nope.conf'" --entry nope.conf --esp "$esp"
bad 2 "no IMAGE" --entry plain.conf --esp "$esp" "$KERNEL"
bad 2 "no --initrd" --entry plain.conf --esp "$esp" --initrd "$esp/i1.img"
bad 2 "no --append" --entry plain.conf --esp "$esp" --append x=1
bad 2 "give one" --entry plain.conf --default --esp "$esp"
rc=0
"$PEKEXEC" extract --entry plain.conf --esp "$esp" --command-line x -o bad.out 2>bad.err || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "no --command-line" bad.err || fail "--command-line with --entry: exit $rc"

# --- --default = bootctl's default -----------------------------------------
"$PEKEXEC" extract --default --esp "$esp" -o def
want=plain.conf
BOOTCTL=$IMAGES/bootctl
if [ -x "$BOOTCTL" ] && "$BOOTCTL" --version >/dev/null 2>&1 && unshare -m true 2>/dev/null &&
	unshare -m sh -c 'mount --bind "$1" "$1" &&
		SYSTEMD_RELAX_ESP_CHECKS=1 "$2" --esp-path="$1" --no-variables list' \
		sh "$esp" "$BOOTCTL" >bootctl.txt 2>bootctl.err; then
	want=$(awk '/title:.*\(default\)/ {d = 1; next} d && /id:/ {print $2; exit}' bootctl.txt)
	[ -n "$want" ] || fail "bootctl marks no default: $(cat bootctl.txt)"
	echo "bootctl's default: $want"
else
	echo "SKIP (part): bootctl list does not run here; expecting loader.conf's match $want"
fi
jq -e --arg id "$want" '.entry.id == $id' def/manifest.json >/dev/null ||
	fail "--default took $(jq -r .entry.id def/manifest.json), bootctl's default is $want"
cmp -s def/initrd t1.initrd.want && cmp -s def/kernel "$KERNEL" || fail "--default: outputs"
printf 'default deb.efi@rescue\n' >"$esp/loader/loader.conf"
"$PEKEXEC" extract --default --esp "$esp" -o def1
cmp -s def1/cmdline cmdline1.txt || fail "--default deb.efi@rescue: cmdline '$(cat def1/cmdline)'"
"$PEKEXEC" load --dry-run --default --esp "$esp" >def1.plan
grep -q "^initrd   $(stat -c %s def1/initrd) bytes sha256 $(sha def1/initrd)\$" def1.plan ||
	fail "load --default: initrd differs from extract's: $(cat def1.plan)"
grep -q '^entry    deb.efi@rescue (type2' def1.plan || fail "load --default: $(cat def1.plan)"

# --- the EFI variables before loader.conf, as bootctl (and systemd-boot) --
efivar LoaderEntryDefault ukil.conf
"$PEKEXEC" extract --default --esp "$esp" -o def2 2>/dev/null
jq -e '.entry.id == "ukil.conf"' def2/manifest.json >/dev/null || fail "LoaderEntryDefault not taken: $(jq -c .entry def2/manifest.json)"
efivar LoaderEntryOneShot 'PLAIN*'   # a glob, case folded
"$PEKEXEC" entries --json --esp "$esp" >ev.json
jq -e '.default_by == "LoaderEntryOneShot" and ([.entries[] | select(.default) | .id] == ["plain.conf"])' ev.json >/dev/null ||
	fail "LoaderEntryOneShot: $(jq -c '[.default_by, (.entries[] | select(.default) | .id)]' ev.json)"
"$PEKEXEC" entries --json --no-variables --esp "$esp" >nv.json
jq -e '.default_by == "loader.conf" and ([.entries[] | select(.default) | .id] == ["deb.efi@rescue"])' nv.json >/dev/null ||
	fail "--no-variables: $(jq -c .default_by nv.json)"
echo "EFI variables: LoaderEntryOneShot (glob) > LoaderEntryDefault > loader.conf; --no-variables skips them"

# --- "@saved": the EFI variable LoaderEntryLastBooted, as systemd-boot
# (v258 src/boot/boot.c config_load_defaults(), config_select_default_entry())
rm -f fw/efi/efivars/LoaderEntryOneShot-* fw/efi/efivars/LoaderEntryDefault-*
defid() { # OPTIONS: "DEFAULT_BY ID" of 'entries'
	"$PEKEXEC" entries --json --esp "$esp" "$@" >sv.json
	jq -r '[.default_by, (.entries[] | select(.default) | .id)] | join(" ")' sv.json
}
defid >/dev/null
first=$(jq -r '.entries[0].id' sv.json)
[ "$first" != ukil.conf ] && [ "$first" != plain.conf ] || fail "@saved: the test needs another first entry"
printf 'timeout 3\ndefault @saved\n' >"$esp/loader/loader.conf"
efivar LoaderEntryLastBooted ukil.conf
[ "$(defid)" = "LoaderEntryLastBooted ukil.conf" ] || fail "loader.conf @saved: $(defid)"
"$PEKEXEC" extract --default --esp "$esp" -o sv1 2>/dev/null
jq -e '.entry.id == "ukil.conf"' sv1/manifest.json >/dev/null || fail "--default, @saved: $(jq -c .entry sv1/manifest.json)"
[ "$(defid --no-variables)" = "first $first" ] || fail "@saved, --no-variables: $(defid --no-variables)"
rm fw/efi/efivars/LoaderEntryLastBooted-*
[ "$(defid)" = "first $first" ] || fail "@saved without LoaderEntryLastBooted: $(defid)"
# LoaderEntryDefault=@saved: LoaderEntryLastBooted, else loader.conf's pattern
printf 'default deb.efi@rescue\n' >"$esp/loader/loader.conf"
efivar LoaderEntryDefault @SAVED
[ "$(defid)" = "loader.conf deb.efi@rescue" ] || fail "LoaderEntryDefault=@saved, nothing saved: $(defid)"
efivar LoaderEntryLastBooted plain.conf
[ "$(defid)" = "LoaderEntryLastBooted plain.conf" ] || fail "LoaderEntryDefault=@saved: $(defid)"
rm -f fw/efi/efivars/LoaderEntry*
echo "@saved: LoaderEntryLastBooted from loader.conf and from LoaderEntryDefault; the first entry without it"
echo "ok"
