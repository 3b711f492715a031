#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-extract.sh - pekexec extract on UKIs made from Debian's signed kernel,
# an initrd and a command line, built two independent ways: by
# `pekexec build-uki` and by objcopy (tests/lib/mkuki-objcopy.sh, no
# pekexec code) + `pekexec add-bpf`.  Oracles: the input files themselves
# (cmp, sha256sum), sbsign/sbverify for the signed variants, and the
# manifest's digests against sha256sum of the files written.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in objcopy objdump sbsign sbverify openssl sha256sum; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
KERNEL=$IMAGES/vmlinuz-amd64
STUB=$IMAGES/linuxx64.efi.stub
UKI_BPF=$BUILD/bpf/uki.bpf
[ -f "$KERNEL" ] && [ -f "$STUB" ] || skip "no \$IMAGES/vmlinuz-amd64 or linuxx64.efi.stub"
[ -f "$UKI_BPF" ] || skip "$UKI_BPF not built (make parsers)"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# expect_exit CODE CMD...: run CMD, require exit CODE, show its stderr.
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" 2>err.txt || rc=$?
	sed 's/^/    /' err.txt
	[ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $*"
}

# check_out DIR KERNEL INITRD CMDLINE-TEXT: the outputs equal the inputs,
# and the manifest's sha256 of each output is sha256sum's.
check_out() {
	local dir=$1
	cmp "$dir/kernel" "$2" || fail "$dir/kernel differs from $2"
	if [ -n "$3" ]; then
		cmp "$dir/initrd" "$3" || fail "$dir/initrd differs from $3"
	else
		[ ! -s "$dir/initrd" ] || fail "$dir/initrd should be empty"
	fi
	[ "$(cat "$dir/cmdline")" = "$4" ] || fail "$dir/cmdline: '$(cat "$dir/cmdline")' != '$4'"
	for f in kernel initrd cmdline; do
		grep -q "\"sha256\": \"$(sha "$dir/$f")\"" "$dir/manifest.json" ||
			fail "$dir/manifest.json lacks the sha256 of $f"
	done
	grep -q '"format": "pekexec-manifest/1"' "$dir/manifest.json" || fail "manifest format"
	grep -q "\"sha256\": \"$(sha "$UKI_BPF")\"" "$dir/manifest.json" ||
		fail "$dir/manifest.json: program sha256 is not the .bpf's"
}

# Inputs: a random initrd whose length is not a multiple of 4 (padding must
# not leak into a lone initrd), a command line with a trailing newline in
# the section (systemd-stub drops trailing white space).
head -c 3000001 /dev/urandom >initrd.img
printf 'console=ttyS0 root=/dev/vda1 quiet\n' >cmdline.txt
CMDLINE='console=ttyS0 root=/dev/vda1 quiet'

# --- 1. build-uki ------------------------------------------------------------
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd initrd.img --cmdline @cmdline.txt \
	--stub "$STUB" --parser "$UKI_BPF" -o a.efi
"$PEKEXEC" extract -o outa a.efi
check_out outa "$KERNEL" initrd.img "$CMDLINE"
grep -c '"kind": "stage"' outa/manifest.json | grep -qx 1 || fail "a.efi: not one stage"
echo "build-uki: kernel $(stat -c %s outa/kernel) B, initrd $(stat -c %s outa/initrd) B: identical"

# the built-in parser (no --parser): the bytes linked into the tool are
# the ones mk/parsers.mk built (the manifest's program sha256 is the file's)
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd initrd.img --cmdline @cmdline.txt \
	--stub "$STUB" -o builtin.efi
"$PEKEXEC" extract -o outc builtin.efi
check_out outc "$KERNEL" initrd.img "$CMDLINE"
echo "build-uki with the built-in parser: identical, program = $UKI_BPF"

# --- 2. objcopy + add-bpf ---------------------------------------------------
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" plain.efi .cmdline=cmdline.txt \
	.initrd=initrd.img .linux="$KERNEL"
"$PEKEXEC" add-bpf --parser "$UKI_BPF" plain.efi b.efi
"$PEKEXEC" extract -o outb b.efi
check_out outb "$KERNEL" initrd.img "$CMDLINE"
echo "objcopy + add-bpf: identical"

# an objcopy UKI without .bpf: nothing to run, malformed for us (exit 3)
expect_exit 3 "$PEKEXEC" extract -o outp plain.efi
[ ! -e outp ] || fail "a failed extract left $(ls outp) behind"

# --- 3. signed variants ------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pekexec-test -days 2 \
	-keyout key.pem -out cert.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=someone-else -days 2 \
	-keyout key2.pem -out cert2.pem 2>/dev/null
sbsign --key key.pem --cert cert.pem --output b.signed b.efi 2>/dev/null
sbverify --cert cert.pem b.signed
"$PEKEXEC" build-uki --linux "$KERNEL" --initrd initrd.img --cmdline @cmdline.txt \
	--stub "$STUB" --parser "$UKI_BPF" --key key.pem --cert cert.pem -o a.signed
sbverify --cert cert.pem a.signed
for img in a.signed b.signed; do
	"$PEKEXEC" extract --verify require --trust cert.pem -o "out-$img" "$img"
	check_out "out-$img" "$KERNEL" initrd.img "$CMDLINE"
	grep -q '"signature": "verified"' "out-$img/manifest.json" || fail "$img: not verified"
	grep -q '"signer": ".*pekexec-test' "out-$img/manifest.json" || fail "$img: signer"
done
echo "signed (sbsign and build-uki --key): verified by sbverify and by us"

# require: unsigned -> 4, other signer -> 6, tampered -> 5; auto: a bad
# signature fails too, an unsigned image passes.
expect_exit 4 "$PEKEXEC" extract --verify require --trust cert.pem -o o4 b.efi
expect_exit 6 "$PEKEXEC" extract --verify require --trust cert2.pem -o o6 b.signed
cp b.signed tampered.efi
# flip one byte inside .linux (well past the headers, before the signature)
printf '\x5a' | dd of=tampered.efi bs=1 seek=$(( $(stat -c %s b.efi) / 2 )) conv=notrunc 2>/dev/null
cmp -s tampered.efi b.signed && fail "tampering did not change the file"
! sbverify --cert cert.pem tampered.efi >/dev/null 2>&1 || fail "sbverify accepts the tampered image"
expect_exit 5 "$PEKEXEC" extract --verify require --trust cert.pem -o o5 tampered.efi
expect_exit 5 "$PEKEXEC" extract --verify auto -o o5a tampered.efi
"$PEKEXEC" extract --verify auto -o oauto b.efi
"$PEKEXEC" extract --verify off -o ooff tampered.efi
for d in o4 o6 o5 o5a; do [ ! -e "$d" ] || fail "failed extract left $d"; done
# An unreadable --trust: one message for every verb (tool/trust.c).
for v in "extract -o ot" "verify" "inspect"; do
	expect_exit 1 "$PEKEXEC" $v --trust no-such.pem b.signed
	grep -q "^pekexec: ${v%% *}: --trust: no-such.pem" err.txt || fail "$v: message: $(cat err.txt)"
done
expect_exit 1 "$PEKEXEC" load --dry-run --trust no-such.pem b.signed
grep -q "^pekexec: load: --trust: no-such.pem" err.txt || fail "load: message: $(cat err.txt)"
# with verification off the tampered byte reaches the output: the oracle
# says which one differs (the kernel), proving nothing else was checked
! cmp -s ooff/kernel "$KERNEL" || fail "tampered .linux came out unchanged?"
echo "policy exits: unsigned 4, untrusted 6, bad digest 5 (require and auto)"

# --- 4. usage ---------------------------------------------------------------
expect_exit 2 "$PEKEXEC" extract a.efi
expect_exit 2 "$PEKEXEC" extract --verify maybe -o x a.efi
echo "ok"
