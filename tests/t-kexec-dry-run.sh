#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kexec-dry-run.sh - pekexec load --dry-run (the ASan tool, no root
# needed): what would go to kexec_file_load(2) for a signed UKI, a plain
# bzImage and the kexec-tools command line.  Oracles: sha256sum of the
# inputs handed to build-uki (the pipeline must give them back byte for
# byte), sha256sum of the bzImage (pass-through), /proc/cmdline filtered by
# sed (--reuse-cmdline), and the exit codes of tool.h for the policy cases.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }
pk=$PEKEXEC
kernel=$IMAGES/vmlinuz-amd64
sha() { sha256sum "$1" | cut -d' ' -f1; }
field() { awk -v k="$1" '$1 == k { print $5 }' "$2"; } # sha256 of a dry-run row
size() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=dry run/" -days 2 \
	-keyout k.key -out k.crt 2>/dev/null
head -c 100001 /dev/urandom >initrd.img
cmdline="console=ttyS0 root=/dev/vda dry.run=1"
"$pk" build-uki --linux "$kernel" --initrd initrd.img --cmdline "$cmdline" \
	--key k.key --cert k.crt -o uki.efi

# the UKI: kernel and initrd byte-identical to the inputs, the .cmdline
"$pk" load --dry-run --verify require --trust k.crt uki.efi >out
cat out
[ "$(field kernel out)" = "$(sha "$kernel")" ] || fail "UKI kernel sha256 differs from the input's"
[ "$(size kernel out)" = "$(stat -c %s "$kernel")" ] || fail "UKI kernel size"
[ "$(field initrd out)" = "$(sha initrd.img)" ] || fail "UKI initrd sha256 differs from the input's"
grep -qxF "cmdline  \"$cmdline\"" out || fail "UKI command line"
grep -qx "flags    0" out || fail "flags for a load with an initrd"
grep -q "^source   pipeline" out || fail "source"

# --kernel-bpf: the UKI itself goes to the kernel (CONFIG_KEXEC_BPF unpacks it)
"$pk" load --dry-run --kernel-bpf uki.efi >out
[ "$(field kernel out)" = "$(sha uki.efi)" ] || fail "--kernel-bpf: the kernel fd must hold the image itself"
grep -q "^source   kernel-bpf" out || fail "--kernel-bpf source"

# -p: the crash flag
"$pk" load -p --dry-run --trust k.crt uki.efi >out
grep -qx "flags    KEXEC_FILE_ON_CRASH" out || fail "-p flags"

# pass-through bzImage: the file itself, the user's initrd and command line
"$pk" load --dry-run --initrd initrd.img --command-line "a=1 b" "$kernel" >out
[ "$(field kernel out)" = "$(sha "$kernel")" ] || fail "pass-through kernel sha256"
[ "$(field initrd out)" = "$(sha initrd.img)" ] || fail "pass-through initrd sha256"
grep -qxF 'cmdline  "a=1 b"' out || fail "pass-through command line"
grep -q "^source   pass-through" out || fail "pass-through source"
"$pk" load --dry-run "$kernel" >out
grep -qx "flags    KEXEC_FILE_NO_INITRAMFS" out || fail "no initrd: NO_INITRAMFS"
grep -qx "initrd   none" out || fail "no initrd row"

# --reuse-cmdline: /proc/cmdline without BOOT_IMAGE=, then --append
want=$(tr '\n' ' ' </proc/cmdline | tr -s ' \t' '\n\n' | grep -v '^BOOT_IMAGE=' |
	sed '/^$/d' | paste -sd' ')
"$pk" load --dry-run --reuse-cmdline --append extra=1 "$kernel" >out
grep -qxF "cmdline  \"${want:+$want }extra=1\"" out || fail "--reuse-cmdline: $(grep cmdline out) want \"$want extra=1\""

# kexec-tools' command line, pekexec run as "kexec"
ln -s "$pk" kexec
./kexec -s -l --dry-run "$kernel" --initrd=initrd.img --append="x=2" >out
[ "$(field kernel out)" = "$(sha "$kernel")" ] || fail "kexec -l kernel"
grep -qxF 'cmdline  "x=2"' out || fail "kexec -l command line"
rc=0; ./kexec "$kernel" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "kexec without an operation: exit $rc, want 2"

# policy and signature exit codes (tool.h)
expect_rc() { # want cmd...
	local want=$1 rc=0
	shift
	"$@" >/dev/null 2>err || rc=$?
	[ "$rc" -eq "$want" ] || { cat err; fail "$*: exit $rc, want $want"; }
}
expect_rc 8 "$pk" load --dry-run --verify require --trust k.crt --append x=1 uki.efi
expect_rc 0 "$pk" load --dry-run --verify off --append x=1 uki.efi
expect_rc 6 "$pk" load --dry-run --verify require uki.efi
cp uki.efi bad.efi
off=$(grep -abo "dry.run=1" bad.efi | head -n1 | cut -d: -f1)
printf 'X' | dd of=bad.efi bs=1 seek="$off" conv=notrunc status=none
expect_rc 5 "$pk" load --dry-run --verify require --trust k.crt bad.efi
"$pk" build-uki --linux "$kernel" --cmdline "$cmdline" -o unsigned.efi
expect_rc 4 "$pk" load --dry-run --verify require --trust k.crt unsigned.efi
expect_rc 2 "$pk" load --dry-run --addon unsigned.efi "$kernel"
expect_rc 2 "$pk" load
echo "dry-run: UKI, pass-through, --reuse-cmdline, kexec compat and 7 exit codes agree"
