#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-verify-diff.sh - differential test: for several hundred mutated signed
# images, pekexec verify's verdict (accept/reject) must equal
# sbverify --cert's.  Mutations (deterministic seed): a bit flip in every
# header field (DOS, COFF, optional header, data directories, every field of
# every section header), flips in every section's data, in the certificate
# table and in the trailing data, truncations and appended bytes.  Two base
# images: a small UKI (systemd's stub + .cmdline/.linux/.initrd added with
# objcopy) signed by us and signed by sbsign.
#
# Intended differences (docs/authenticode.md, "Differences from sbverify")
# are asserted, not skipped: a difference is intended only if sbverify
# accepts, we reject with exit 3 (malformed) and our message names one of the
# rules below; both rules are also checked on purpose-built images at the
# end.  Any other verdict difference fails the test.
set -u
command -v sbverify >/dev/null && command -v sbsign >/dev/null ||
	{ echo "SKIP: sbsigntool not installed"; exit 77; }
command -v objcopy >/dev/null || { echo "SKIP: objcopy not installed"; exit 77; }
STUB=$IMAGES/linuxx64.efi.stub
[ -f "$STUB" ] || { echo "SKIP: $STUB missing"; exit 77; }
RANDOM=20240611 # deterministic mutations

openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 30 \
	-subj "/CN=diff test" 2>/dev/null || { echo "openssl req failed"; exit 1; }

# A small UKI: the real stub plus kernel-sized-for-a-test payload sections.
prng() { # N: deterministic pseudo-random bytes
	openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c "$1"
}
prng 65536 >linux.bin
prng 20000 >initrd.bin
echo "console=ttyS0 quiet" >cmdline.txt
objcopy --add-section .cmdline=cmdline.txt --change-section-vma .cmdline=0x30000 \
	--set-section-flags .cmdline=data,readonly \
	--add-section .linux=linux.bin --change-section-vma .linux=0x40000 \
	--set-section-flags .linux=code,readonly \
	--add-section .initrd=initrd.bin --change-section-vma .initrd=0x60000 \
	--set-section-flags .initrd=data,readonly "$STUB" uki.efi ||
	{ echo "objcopy failed"; exit 1; }
"$PEKEXEC" sign --key k.pem --cert c.pem uki.efi base-ours.efi || exit 1
sbsign --key k.pem --cert c.pem --output base-sb.efi uki.efi 2>/dev/null || exit 1

u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
# R = 0 .. n-1 (no command substitution: a subshell would reseed RANDOM)
rnd() { R=$(((RANDOM << 15 | RANDOM) % $1)); }
flip() { # file offset bit
	local b
	b=$(u8 "$1" "$2")
	printf "\\$(printf %03o $((b ^ (1 << $3))))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

compared=0 differ=0 accepted=0 intended=0
# Our messages for the intended differences (sbverify accepts, we reject):
#   dwLength larger than the certificate table (sbverify ignores dwLength
#   beyond the DER); SignedData content type not SpcIndirectDataContent
#   (sbverify never checks it; the kernel does).
intended_re='dwLength 0x[0-9a-f]* at 0x[0-9a-f]* outside|SignedData content is not SpcIndirectDataContent'

verdict() { # cmd... -> accept|reject
	if "$@" >/dev/null 2>&1; then echo accept; else echo reject; fi
}

# check NAME: compare the verdicts on m.efi
check() {
	local sb ours rc
	sb=$(verdict sbverify --cert c.pem m.efi)
	"$PEKEXEC" verify --trust c.pem m.efi >/dev/null 2>why.txt
	rc=$?
	ours=reject
	[ $rc -eq 0 ] && ours=accept
	compared=$((compared + 1))
	[ "$ours" = accept ] && accepted=$((accepted + 1))
	[ "$sb" = "$ours" ] && return 0
	if [ "$sb" = accept ] && [ $rc -eq 3 ] && grep -Eq "$intended_re" why.txt; then
		intended=$((intended + 1))
		echo "intended difference: $1: sbverify accepts; pekexec: $(cat why.txt)"
	else
		differ=$((differ + 1))
		echo "DIFFERENT: $1: sbverify $sb, pekexec $ours (exit $rc)"
		sed 's/^/    /' why.txt
	fi
}

# mutate_field BASE NAME OFFSET SIZE: one random bit of the field flipped
mutate_field() {
	local off
	cp "$1" m.efi
	rnd "$4"
	off=$(($3 + R))
	rnd 8
	flip m.efi "$off" "$R"
	check "$2 (0x$(printf %x "$off") bit $R)"
}

# mutate_range BASE NAME START LEN COUNT: COUNT single flips inside the range
mutate_range() {
	local i
	[ "$4" -gt 0 ] || return 0
	for ((i = 0; i < $5; i++)); do
		mutate_field "$1" "$2" "$3" "$4"
	done
}

run_base() { # BASE
	local b=$1 pe opt nsec optsz secs i s f len ct ctsz hashed=0 soh
	len=$(stat -c %s "$b")
	pe=$(u32 "$b" 60)
	opt=$((pe + 24))
	nsec=$(u16 "$b" $((pe + 6)))
	optsz=$(u16 "$b" $((pe + 20)))
	secs=$((opt + optsz))
	soh=$(u32 "$b" $((opt + 60)))
	ct=$(u32 "$b" $((opt + 112 + 32)))
	ctsz=$(u32 "$b" $((opt + 112 + 36)))
	[ "$(u16 "$b" "$opt")" = 523 ] || { echo "base image is not PE32+"; exit 1; }

	# DOS header and stub
	mutate_field "$b" "e_magic" 0 2
	mutate_field "$b" "e_lfanew" 60 4
	mutate_range "$b" "DOS stub" 64 $((pe - 64)) 2
	mutate_field "$b" "PE signature" "$pe" 4
	# COFF file header
	for f in Machine:0:2 NumberOfSections:2:2 TimeDateStamp:4:4 \
		PointerToSymbolTable:8:4 NumberOfSymbols:12:4 \
		SizeOfOptionalHeader:16:2 Characteristics:18:2; do
		IFS=: read -r n o s <<<"$f"
		mutate_field "$b" "COFF $n" $((pe + 4 + o)) "$s"
	done
	# PE32+ optional header
	for f in Magic:0:2 MajorLinkerVersion:2:1 MinorLinkerVersion:3:1 SizeOfCode:4:4 \
		SizeOfInitializedData:8:4 SizeOfUninitializedData:12:4 \
		AddressOfEntryPoint:16:4 BaseOfCode:20:4 ImageBase:24:8 \
		SectionAlignment:32:4 FileAlignment:36:4 MajorOSVersion:40:2 \
		MinorOSVersion:42:2 MajorImageVersion:44:2 MinorImageVersion:46:2 \
		MajorSubsystemVersion:48:2 MinorSubsystemVersion:50:2 \
		Win32VersionValue:52:4 SizeOfImage:56:4 SizeOfHeaders:60:4 \
		CheckSum:64:4 Subsystem:68:2 DllCharacteristics:70:2 \
		SizeOfStackReserve:72:8 SizeOfStackCommit:80:8 SizeOfHeapReserve:88:8 \
		SizeOfHeapCommit:96:8 LoaderFlags:104:4 NumberOfRvaAndSizes:108:4; do
		IFS=: read -r n o s <<<"$f"
		mutate_field "$b" "optional header $n" $((opt + o)) "$s"
	done
	for ((i = 0; i < 16; i++)); do
		mutate_field "$b" "data directory $i address" $((opt + 112 + 8 * i)) 4
		mutate_field "$b" "data directory $i size" $((opt + 116 + 8 * i)) 4
	done
	# every field of every section header, then the section's data
	for ((i = 0; i < nsec; i++)); do
		s=$((secs + 40 * i))
		for f in Name:0:8 VirtualSize:8:4 VirtualAddress:12:4 SizeOfRawData:16:4 \
			PointerToRawData:20:4 PointerToRelocations:24:4 \
			PointerToLinenumbers:28:4 NumberOfRelocations:32:2 \
			NumberOfLinenumbers:34:2 Characteristics:36:4; do
			IFS=: read -r n o sz <<<"$f"
			mutate_field "$b" "section $i $n" $((s + o)) "$sz"
		done
		mutate_range "$b" "section $i data" "$(u32 "$b" $((s + 20)))" \
			"$(u32 "$b" $((s + 16)))" 2
		hashed=$((hashed + $(u32 "$b" $((s + 16)))))
	done
	# header padding after the section table
	mutate_range "$b" "header padding" $((secs + 40 * nsec)) $((soh - secs - 40 * nsec)) 2
	# trailing data between the sections and the certificate table
	hashed=$((hashed + soh))
	mutate_range "$b" "trailing data" "$hashed" $((ct - hashed)) 8
	# the certificate table: WIN_CERTIFICATE header, then the PKCS#7
	mutate_range "$b" "WIN_CERTIFICATE header" "$ct" 8 8
	mutate_range "$b" "PKCS#7 signature" $((ct + 8)) $((ctsz - 8)) 24
	# truncations and appended bytes
	for ((i = 0; i < 12; i++)); do
		rnd "$len"
		head -c $((R + 1)) "$b" >m.efi
		check "truncated to $((R + 1))"
	done
	for n in 1 7 8 64; do
		rnd "$ctsz"
		head -c "$((len - ctsz + R))" "$b" >m.efi
		check "truncated in the certificate table to $((len - ctsz + R))"
		cat "$b" >m.efi
		head -c "$n" /dev/zero >>m.efi
		check "$n zero bytes appended"
		cat "$b" >m.efi
		prng "$n" >>m.efi
		check "$n random bytes appended"
	done
	# the unmodified image is accepted by both
	cp "$b" m.efi
	check "unmodified"
}

run_base base-ours.efi
run_base base-sb.efi

# The intended differences, on purpose: sbverify accepts, we call it malformed.
expect_intended() { # name
	local sb
	sb=$(verdict sbverify --cert c.pem m.efi)
	"$PEKEXEC" verify --trust c.pem m.efi >/dev/null 2>why.txt
	rc=$?
	if [ "$sb" = accept ] && [ $rc -eq 3 ] && grep -Eq "$intended_re" why.txt; then
		echo "ok: intended difference asserted: $1"
	else
		echo "FAIL: $1: sbverify $sb, pekexec exit $rc: $(cat why.txt)"
		differ=$((differ + 1))
	fi
}
opt=$(($(u32 base-sb.efi 60) + 24))
ct=$(u32 base-sb.efi $((opt + 144)))
cp base-sb.efi m.efi
flip m.efi $((ct + 2)) 1 # dwLength += 0x20000, beyond the table
expect_intended "dwLength beyond the certificate table"
# the content type OID of the SignedData (first SPC_INDIRECT_DATA OID in the
# PKCS#7): last arc 4 -> 5
# (the OID's content bytes: its 06 0a header holds a newline, which grep cannot match)
oid=$(LC_ALL=C grep -obUaP '\x2b\x06\x01\x04\x01\x82\x37\x02\x01\x04' base-sb.efi |
	head -n 1 | cut -d: -f1)
[ -n "$oid" ] && [ "$oid" -gt "$ct" ] || { echo "FAIL: no content type OID in the table"; exit 1; }
cp base-sb.efi m.efi
flip m.efi $((oid + 9)) 0
expect_intended "SignedData content type not SpcIndirectDataContent"

echo "compared $compared mutated images with sbverify: $differ unintended differences, $intended intended differences, $accepted accepted by pekexec"
[ "$compared" -ge 300 ] || { echo "FAIL: only $compared comparisons"; exit 1; }
[ "$differ" -eq 0 ]
