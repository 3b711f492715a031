#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-build-add-bpf.sh - pekexec add-bpf on real images against independent
# oracles: Debian's signed vmlinuz (signature dropped with a warning, every
# section kept byte for byte, sbsign + sbverify accept the result), a UKI
# assembled by objcopy from systemd's stub (tests/lib/mkuki-objcopy.sh),
# replacing .bpf, and malformed inputs (exit 3, message with an offset).
# Layout read by llvm-readobj and objdump, bytes compared by sha256.
set -euo pipefail
. "$TOP/tests/lib/build.sh"
need llvm-readobj objdump objcopy sbverify sbsign openssl
KERNEL=$IMAGES/vmlinuz-amd64
STUB=$IMAGES/linuxx64.efi.stub
[ -f "$KERNEL" ] && [ -f "$STUB" ] || skip "no \$IMAGES/vmlinuz-amd64 or linuxx64.efi.stub"

head -c 4321 /dev/urandom >parser.o
head -c 2000 /dev/urandom >parser2.o
head -c 9000 /dev/urandom >parser3.o

# --- Debian's signed kernel ------------------------------------------------
list=$(sbverify --list "$KERNEL" 2>&1 || true)
grep -q "signature 1" <<<"$list" || skip "vmlinuz-amd64 is not signed: $list"
"$PEKEXEC" add-bpf --parser parser.o "$KERNEL" v.efi 2>err.txt
cat err.txt
grep -q "pekexec sign" err.txt || fail "no re-sign warning for a signed input"
n=$(sections "$KERNEL" | wc -l)
check_sections_kept "$KERNEL" v.efi
check_layout v.efi "$n"
check_objdump_agrees v.efi
[ "$(section_index v.efi .bpf)" = "$n" ] || fail "v.efi: .bpf is not appended last"
[ "$(section_sha v.efi "$n")" = "$(file_sha parser.o)" ] || fail "v.efi: .bpf bytes"
list=$(sbverify --list v.efi 2>&1 || true)
grep -q "No signature table present" <<<"$list" || fail "v.efi still carries a signature"
# the bzImage setup header (0x1f1..) and everything before the section table
# are untouched
[ "$(range_sha v.efi 497 3599)" = "$(range_sha "$KERNEL" 497 3599)" ] ||
	fail "v.efi: setup header changed"
soh=$(pe_field v.efi SizeOfHeaders)
echo "vmlinuz: SizeOfHeaders $soh ($(pe_field "$KERNEL" SizeOfHeaders) before), sections: $(section_names v.efi)"
# Authenticode-consistent: an independent signer and verifier accept it
make_signer
sbsign --key key.pem --cert cert.pem --output v.signed v.efi 2>/dev/null
sbverify --cert cert.pem v.signed

# --- a UKI assembled by objcopy from systemd's stub --------------------------
printf 'ID=test\n' >osrel
printf 'console=ttyS0' >cmdline
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" uki.efi .osrel=osrel .cmdline=cmdline \
	.linux="$KERNEL"
"$PEKEXEC" -v add-bpf --parser parser.o uki.efi u.efi
n=$(sections uki.efi | wc -l)
check_sections_kept uki.efi u.efi
check_layout u.efi "$n"
check_objdump_agrees u.efi
[ "$(section_sha u.efi "$n")" = "$(file_sha parser.o)" ] || fail "u.efi: .bpf bytes"
echo "objcopy UKI: SizeOfHeaders $(pe_field uki.efi SizeOfHeaders) -> $(pe_field u.efi SizeOfHeaders)"

# replacing .bpf: smaller, then larger; every other section unchanged
for p in parser2.o parser3.o; do
	"$PEKEXEC" add-bpf --parser "$p" u.efi u2.efi
	[ "$(sections u2.efi | wc -l)" -eq $((n + 1)) ] || fail "u2.efi: section count"
	[ "$(sections u2.efi | awk '$2 == ".bpf"' | wc -l)" -eq 1 ] || fail "u2.efi: two .bpf"
	[ "$(section_sha u2.efi "$n")" = "$(file_sha "$p")" ] || fail "u2.efi: .bpf is not $p"
	check_sections_kept uki.efi u2.efi
	check_layout u2.efi "$n"
	mv u2.efi u.efi
done

# UKIs with more sections: objcopy sizes the headers to the table, so for
# some count the next section header does not fit and the headers grow
# (the first section's raw data moves)
grown=0
for k in 5 6 7 8 9; do
	specs=()
	for i in $(seq 1 $k); do
		head -c $((100 * i)) /dev/urandom >s$i
		specs+=(".s$i=s$i")
	done
	bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" many.efi "${specs[@]}"
	"$PEKEXEC" add-bpf --parser parser.o many.efi many-bpf.efi
	n=$(sections many.efi | wc -l)
	check_sections_kept many.efi many-bpf.efi
	check_layout many-bpf.efi "$n"
	check_objdump_agrees many-bpf.efi
	[ "$(section_sha many-bpf.efi "$n")" = "$(file_sha parser.o)" ] || fail "many-bpf.efi: .bpf bytes"
	before=$(sections many.efi | awk 'NR == 1 {print $6}')
	after=$(sections many-bpf.efi | awk 'NR == 1 {print $6}')
	echo "objcopy UKI with $k more sections: SizeOfHeaders $(pe_field many.efi SizeOfHeaders) -> $(pe_field many-bpf.efi SizeOfHeaders), first raw data $before -> $after"
	if [ "$after" -gt "$before" ]; then
		grown=1
		sbsign --key key.pem --cert cert.pem --output many.signed many-bpf.efi 2>/dev/null
		sbverify --cert cert.pem many.signed
	fi
done
[ "$grown" = 1 ] || fail "no case made the headers grow"

# --- malformed inputs and usage ------------------------------------------------
expect_fail() { # code output args...
	local code=$1 out=$2 rc=0
	shift 2
	"$PEKEXEC" "$@" 2>err.txt || rc=$?
	[ "$rc" -eq "$code" ] || { cat err.txt; fail "'$*' exited $rc, expected $code"; }
	[ ! -e "$out" ] || fail "'$*' left $out behind"
	cat err.txt
}
head -c 1000 "$KERNEL" >truncated.efi
expect_fail 3 e.efi add-bpf --parser parser.o truncated.efi e.efi
grep -q 'at 0x' err.txt || fail "truncated: no offset in the message"
head -c 2048 /dev/urandom >notpe
expect_fail 3 e.efi add-bpf --parser parser.o notpe e.efi
# a section table pointing outside the file
cp "$KERNEL" bad.efi
printf '\xff\xff\xff\x7f' | dd of=bad.efi bs=1 seek=$((0xf8 + 20)) conv=notrunc 2>/dev/null
expect_fail 3 e.efi add-bpf --parser parser.o bad.efi e.efi
grep -q 'PointerToRawData' err.txt || fail "bad.efi: message does not name the field"
expect_fail 1 e.efi add-bpf --parser parser.o missing.efi e.efi
expect_fail 1 e.efi add-bpf --parser missing.o "$KERNEL" e.efi
expect_fail 2 e.efi add-bpf "$KERNEL"
# the built-in UKI parser by default (mk/parsers.mk: $BUILD/bpf/uki.bpf)
"$PEKEXEC" add-bpf "$KERNEL" builtin.efi 2>/dev/null
if [ -f "$BUILD/bpf/uki.bpf" ]; then
	n=$(sections "$KERNEL" | wc -l)
	[ "$(section_sha builtin.efi "$n")" = "$(file_sha "$BUILD/bpf/uki.bpf")" ] ||
		fail "builtin.efi: .bpf is not \$BUILD/bpf/uki.bpf"
fi
echo ok
