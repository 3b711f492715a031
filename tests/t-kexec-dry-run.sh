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
# the running kernel decides by its BTF (docs/kexec.md); oracle: bpftool
btf_has_anchor() { bpftool btf dump file "$1" 2>/dev/null | grep -q "FUNC 'kexec_image_parser_anchor'"; }
host_source=pipeline
[ -r /sys/kernel/btf/vmlinux ] && btf_has_anchor /sys/kernel/btf/vmlinux && host_source=kernel-bpf
grep -q "^source   $host_source" out || fail "source: want $host_source on this kernel"

# --kernel-bpf: the UKI itself goes to the kernel (CONFIG_KEXEC_BPF unpacks it)
"$pk" load --dry-run --kernel-bpf uki.efi >out
[ "$(field kernel out)" = "$(sha uki.efi)" ] || fail "--kernel-bpf: the kernel fd must hold the image itself"
grep -q "^source   kernel-bpf" out || fail "--kernel-bpf source"

# auto: a kernel whose BTF has kexec_image_parser_anchor gets the image
# itself; the executor's own BTF (pk-btf-dump) has it, bpftool says so
"$BUILD/pk-btf-dump" anchor.btf
btf_has_anchor anchor.btf || fail "bpftool finds no anchor in the executor's BTF"
PEKEXEC_KERNEL_BTF=anchor.btf "$pk" load --dry-run uki.efi >out
grep -q "^source   kernel-bpf (the running kernel has CONFIG_KEXEC_BPF" out ||
	{ cat out; fail "auto with the anchor in the kernel's BTF: not handed to the kernel"; }
[ "$(field kernel out)" = "$(sha uki.efi)" ] || fail "auto kernel-bpf: the kernel fd must hold the image"
PEKEXEC_KERNEL_BTF=anchor.btf "$pk" load --dry-run --no-kernel-bpf --trust k.crt uki.efi >out
grep -q "^source   pipeline" out || fail "--no-kernel-bpf: not the pipeline"
[ "$(field kernel out)" = "$(sha "$kernel")" ] || fail "--no-kernel-bpf: kernel sha256"
# an add-on keeps auto in user space; --kernel-bpf with one is a usage error
"$pk" build-uki --cmdline "addon=1" --parser uki -o addon.efi 2>/dev/null ||
	"$pk" add-bpf --parser uki "$IMAGES/linuxx64.efi.stub" addon.efi
rc=0
PEKEXEC_KERNEL_BTF=anchor.btf "$pk" load --dry-run --kernel-bpf --addon addon.efi uki.efi >out 2>err || rc=$?
[ $rc = 2 ] || { cat err; fail "--kernel-bpf --addon: exit $rc, want 2"; }
PEKEXEC_KERNEL_BTF=/nonexistent "$pk" load --dry-run --trust k.crt uki.efi >out
grep -q "^source   pipeline" out || fail "auto without kernel BTF: not the pipeline"
echo "auto: kernel-bpf with the anchor in the kernel's BTF, the pipeline without"

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
# pekexec's own long options in kexec mode (issue 12: --trust was dropped)
./kexec -l uki.efi --verify require --trust=k.crt --no-kernel-bpf --dry-run >out ||
	fail "kexec -l --verify require --trust=CERT: refused"
[ "$(field kernel out)" = "$(sha "$kernel")" ] || fail "kexec -l --trust: kernel sha256"
grep -q "^source   pipeline" out || fail "kexec --no-kernel-bpf: not the pipeline"
./kexec --load uki.efi --verify=require --trust k.crt --no-kernel-bpf --dry-run >/dev/null ||
	fail "kexec --load --verify=require --trust CERT: refused"
rc=0; ./kexec -l uki.efi --verify require --no-kernel-bpf --dry-run >/dev/null 2>&1 || rc=$?
[ $rc -eq 6 ] || fail "kexec -l --verify require without --trust: exit $rc, want 6"
# -t is kexec-tools' --type there: k.crt is its argument, not a trust anchor
rc=0; ./kexec -l -t k.crt uki.efi --verify require --no-kernel-bpf --dry-run >/dev/null 2>&1 || rc=$?
[ $rc -eq 6 ] || fail "kexec -l -t CERT: exit $rc, want 6 (-t is --type in kexec mode)"

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
