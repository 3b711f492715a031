#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-build-uki.sh - pekexec build-uki against independent oracles:
# llvm-readobj and objdump for the layout (PE rules, ukify's section order,
# characteristics), sha256 of the inputs for every UKI section, sha256 of
# systemd's stub for every stub section, sbverify --cert for signed UKIs,
# and the error cases (exit codes, nothing left behind).
set -euo pipefail
. "$TOP/tests/lib/build.sh"
need llvm-readobj objdump sbverify openssl
STUB=$IMAGES/linuxx64.efi.stub
KERNEL=$IMAGES/vmlinuz-amd64
[ -f "$STUB" ] && [ -f "$KERNEL" ] || skip "no \$IMAGES/linuxx64.efi.stub or vmlinuz-amd64"

head -c 70001 /dev/urandom >initrd1
head -c 4099 /dev/urandom >initrd2
head -c 513 /dev/urandom >initrd3
head -c 3000 /dev/urandom >ucode
head -c 2345 /dev/urandom >parser.o
printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian 12"\n' >os-release
printf 'root=/dev/vda ro console=ttyS0' >cmdline.txt
# oracle for .initrd: each file padded to 4 bytes, concatenated (ukify)
pad4() { cat "$1"; head -c $(((4 - $(stat -c %s "$1") % 4) % 4)) /dev/zero; }
{ pad4 initrd1; pad4 initrd2; } >initrd12.expected

# --- a full UKI on systemd's stub, with two profiles ---------------------
"$PEKEXEC" build-uki --stub "$STUB" --linux "$KERNEL" \
	--initrd initrd1 --initrd initrd2 --ucode ucode --cmdline @cmdline.txt \
	--os-release os-release --uname 6.1.0-test-amd64 --parser parser.o \
	--profile "ID=rescue,TITLE=Rescue shell,cmdline=console=ttyS0,115200 rescue,initrd=initrd3" \
	--profile "ID=plain,TITLE=Plain" -o uki.efi

nstub=$(sections "$STUB" | wc -l)
check_sections_kept "$STUB" uki.efi
check_layout uki.efi "$nstub"
check_objdump_agrees uki.efi
echo "stub sections: $nstub, UKI sections: $(section_names uki.efi)"

expected=".osrel .cmdline .uname .initrd .ucode .bpf .linux .profile .cmdline .initrd .profile "
got=$(sections uki.efi | awk -v n="$nstub" '$1 >= n {printf "%s ", $2}')
[ "$got" = "$expected" ] || fail "section order '$got', expected '$expected'"

i=$nstub
printf 'ID=rescue\nTITLE=Rescue shell\n' >profile1.expected
printf 'ID=plain\nTITLE=Plain\n' >profile2.expected
printf 'console=ttyS0,115200 rescue' >cmdline1.expected
printf '6.1.0-test-amd64' >uname.expected
for f in os-release cmdline.txt uname.expected initrd12.expected ucode parser.o "$KERNEL" \
	 profile1.expected cmdline1.expected initrd3 profile2.expected; do
	[ "$(section_sha uki.efi $i)" = "$(file_sha "$f")" ] ||
		fail "section $i of uki.efi is not the bytes of $f"
	i=$((i + 1))
done

# characteristics as ukify sets them: read-only initialized data, .linux code
while read -r idx name vs va rs rp ch; do
	[ "$idx" -ge "$nstub" ] || continue
	want=$((0x40000040))
	[ "$name" = .linux ] && want=$((0x40000020))
	[ "$ch" -eq "$want" ] || fail "$name characteristics $(printf 0x%x "$ch")"
done < <(sections uki.efi)

# the growth case: systemd's stub has room for 3 more section headers
soh_stub=$(pe_field "$STUB" SizeOfHeaders)
soh_uki=$(pe_field uki.efi SizeOfHeaders)
echo "SizeOfHeaders: stub $soh_stub, UKI $soh_uki"
[ "$soh_uki" -gt "$soh_stub" ] || fail "expected the headers to grow"
list=$(sbverify --list uki.efi 2>&1 || true)
grep -q "No signature table present" <<<"$list" || fail "uki.efi carries a signature: $list"

# --- signed ---------------------------------------------------------------
make_signer
"$PEKEXEC" build-uki --stub "$STUB" --linux "$KERNEL" --initrd initrd1 \
	--cmdline "quiet" --parser parser.o --key key.pem --cert cert.pem -o signed.efi
sbverify --cert cert.pem signed.efi
check_sections_kept "$STUB" signed.efi

# --- the built-in minimal stub --------------------------------------------
"$PEKEXEC" build-uki --stub builtin --linux "$KERNEL" --parser parser.o -o min.efi
check_layout min.efi 1
check_objdump_agrees min.efi
# without --uname it is read from the bzImage, as ukify does; oracle: the
# Debian package the kernel came from (linux-image-RELEASE)
[ "$(section_names min.efi)" = ".text .uname .bpf .linux " ] || fail "min.efi: $(section_names min.efi)"
llvm-readobj --file-headers min.efi | grep -q 'IMAGE_FILE_MACHINE_AMD64' || fail "min.efi machine"
[ "$(section_sha min.efi 3)" = "$(file_sha "$KERNEL")" ] || fail "min.efi .linux bytes"
if [ -f "$KERNEL.pkg" ]; then
	pkg=$(cat "$KERNEL.pkg")
	printf '%s' "${pkg#linux-image-}" >uname.pkg
	[ "$(section_sha min.efi 1)" = "$(file_sha uname.pkg)" ] ||
		fail "min.efi .uname is not '${pkg#linux-image-}'"
	echo "uname from the bzImage: ${pkg#linux-image-}"
fi
"$PEKEXEC" build-uki --stub builtin --linux "$KERNEL" --uname '' --parser parser.o -o min2.efi
[ "$(section_names min2.efi)" = ".text .bpf .linux " ] || fail "min2.efi: $(section_names min2.efi)"

# --- the default stub: systemd's for the kernel's machine if installed ------
sysstub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
"$PEKEXEC" build-uki --linux "$KERNEL" --parser parser.o -o default.efi
if [ -f "$sysstub" ]; then
	check_sections_kept "$sysstub" default.efi
else
	[ "$(section_names default.efi)" = ".text .uname .bpf .linux " ] || fail "default.efi without systemd's stub"
fi

# --- the built-in UKI parser (mk/parsers.mk writes it to $BUILD/bpf/uki.bpf)
"$PEKEXEC" build-uki --stub "$STUB" --linux "$KERNEL" -o builtin.efi
i=$(section_index builtin.efi .bpf)
if [ -f "$BUILD/bpf/uki.bpf" ]; then
	[ "$(section_sha builtin.efi "$i")" = "$(file_sha "$BUILD/bpf/uki.bpf")" ] ||
		fail "builtin.efi: .bpf is not \$BUILD/bpf/uki.bpf"
else
	echo "note: no \$BUILD/bpf/uki.bpf to compare the built-in parser with"
fi

# --- errors: exit codes, messages, nothing left behind ----------------------
expect_fail() { # code output-file args...
	local code=$1 out=$2 rc=0
	shift 2
	"$PEKEXEC" "$@" 2>err.txt || rc=$?
	[ "$rc" -eq "$code" ] || { cat err.txt; fail "'$*' exited $rc, expected $code"; }
	[ ! -e "$out" ] || fail "'$*' left $out behind"
	cat err.txt
}
expect_fail 1 e1.efi build-uki --linux missing-kernel --parser parser.o -o e1.efi
grep -q missing-kernel err.txt || fail "no file name in the message"
head -c 4096 /dev/urandom >junk
printf 'MZ' | dd of=junk conv=notrunc 2>/dev/null
printf '\x00\x00\x01\x00' | dd of=junk bs=1 seek=60 conv=notrunc 2>/dev/null
expect_fail 3 e2.efi build-uki --stub junk --linux "$KERNEL" --parser parser.o -o e2.efi
grep -q 'at 0x' err.txt || fail "malformed stub: no offset in the message"
expect_fail 2 e3.efi build-uki --linux "$KERNEL" --parser parser.o --profile "TITLE=no id" -o e3.efi
expect_fail 2 e4.efi build-uki --linux "$KERNEL" -o e4.efi --bogus
expect_fail 1 e5.efi build-uki --linux "$KERNEL" --parser no-such-file.o -o e5.efi
expect_fail 1 e6.efi build-uki --linux "$KERNEL" --parser parser.o --key key.pem -o e6.efi --cert missing.pem
leftover=$(ls -A | grep -v -E '^(initrd[123]|ucode|parser.o|os-release|cmdline.txt|.*\.expected|uki.efi|builtin.efi|signed.efi|min.efi|min2.efi|uname.pkg|default.efi|key.pem|cert.pem|junk|err.txt)$' || true)
[ -z "$leftover" ] || fail "files left behind: $leftover"
echo "ok"
