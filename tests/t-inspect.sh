#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-inspect.sh - `pekexec inspect --json` against independent oracles:
#   headers, data directories and sections vs objdump -h -p; section bytes
#   vs objcopy -O binary + sha256sum; a UKI assembled by objcopy (sections vs
#   the input files); signatures vs sbverify --list, and digest_ok vs
#   sbverify --cert with the signer's own certificate (openssl pkcs7); a zboot
#   header patched into a UKI whose .linux is a gzip file; exit codes for
#   malformed, missing and unreadable files and for usage errors; a
#   two-profile UKI (ukify's layout by objcopy): the sections each profile
#   sees vs objdump -h's section indices (the profile's own after its
#   .profile, else the base's) and the .profile files' ID=/TITLE=.
set -u

checks=0
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); }
le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"; }

# expect_json FILE JQ-EXPR WANT
expect_json() {
	local got
	got=$(jq -r "$2" "$1")
	[ "$got" = "$3" ] || fail "$1: $2 is '$got', expected '$3'"
	ok
}

# expect_exit CODE WHAT CMD... (stdout in ./out, stderr in ./err)
expect_exit() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >out 2>err
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want; stderr: $(cat err)"
	ok
}

# json_of IMAGE: inspect --json output, cached next to the test's files
json_of() {
	local j
	j=$(basename "$1").json
	[ -s "$j" ] || "$PEKEXEC" inspect --json "$1" >"$j" || fail "inspect --json $1 failed"
	echo "$j"
}

# objdump_for IMAGE: an objdump that knows the image's machine (Debian's
# binutils reads pei-x86-64 only; gcc-aarch64-linux-gnu brings pei-aarch64).
objdump_for() {
	local od
	for od in objdump aarch64-linux-gnu-objdump riscv64-linux-gnu-objdump; do
		command -v "$od" >/dev/null && "$od" -h "$1" >/dev/null 2>&1 && { echo "$od"; return; }
	done
	fail "$1: no objdump reads this image"
}

# compare_with_objdump IMAGE: headers, directories, sections and bytes.
compare_with_objdump() {
	local img=$1 j key field want got base ndirs i n line od
	local idx name size vma lma off
	j=$(json_of "$img") || fail "$j"
	od=$(objdump_for "$img") || fail "$od"
	"$od" -p "$img" >od-p.txt || fail "objdump -p $img"
	expect_json "$j" .format pekexec-inspect/1
	expect_json "$j" .file_size "$(stat -L -c %s "$img")"
	expect_json "$j" .file_sha256 "$(sha256sum "$img" | cut -d' ' -f1)"
	for pair in Magic=magic AddressOfEntryPoint=entry_point ImageBase=image_base \
		SectionAlignment=section_alignment FileAlignment=file_alignment \
		SizeOfImage=size_of_image SizeOfHeaders=size_of_headers CheckSum=checksum \
		Subsystem=subsystem DllCharacteristics=dll_characteristics \
		NumberOfRvaAndSizes=number_of_rva_and_sizes SizeOfCode=size_of_code \
		SizeOfInitializedData=size_of_initialized_data \
		SizeOfUninitializedData=size_of_uninitialized_data BaseOfCode=base_of_code; do
		key=${pair%%=*} field=${pair#*=}
		want=$(awk -v k="$key" '$1 == k {print $2; exit}' od-p.txt)
		[ -n "$want" ] || fail "$img: objdump shows no $key"
		expect_json "$j" ".pe.$field" $((0x$want))
	done
	# objdump's Characteristics gains F_LSYMS (0x8) when NumberOfSymbols != 0
	# but PointerToSymbolTable == 0 (binutils' coff_swap_filehdr_in).
	want=$(awk '$1 == "Characteristics" {print $2; exit}' od-p.txt)
	got=$(jq -r '.pe.characteristics + (if .pe.number_of_symbols != 0 and .pe.pointer_to_symbol_table == 0 then 8 else 0 end)' "$j")
	[ "$((want))" = "$got" ] || fail "$img: Characteristics $got vs objdump $want"
	case $("$od" -h "$img" | sed -n 's/.*file format //p') in
	pei-x86-64) expect_json "$j" .pe.machine_name x86_64 ;;
	pei-aarch64-little) expect_json "$j" .pe.machine_name aarch64 ;;
	*) fail "$img: unexpected objdump format" ;;
	esac
	ndirs=$(jq -r .pe.number_of_rva_and_sizes "$j")
	for ((i = 0; i < ndirs; i++)); do
		line=$(grep "^Entry $(printf %x $i) " od-p.txt) || fail "$img: objdump shows no directory $i"
		set -- $line
		expect_json "$j" ".data_directories[$i].virtual_address" $((0x$3))
		expect_json "$j" ".data_directories[$i].size" $((0x$4))
	done
	base=$(jq -r .pe.image_base "$j")
	n=0
	while read -r idx name size vma lma off _; do
		case $idx in [0-9]*) ;; *) continue ;; esac
		expect_json "$j" ".sections[$idx].name" "$name"
		expect_json "$j" ".sections[$idx].data_size" $((0x$size))
		expect_json "$j" ".sections[$idx].virtual_address + $base" $((0x$vma))
		expect_json "$j" ".sections[$idx].pointer_to_raw_data" $((0x$off))
		"${od%objdump}objcopy" -O binary --only-section="$name" "$img" sec.bin ||
			fail "objcopy $name"
		expect_json "$j" ".sections[$idx].data_sha256" "$(sha256sum sec.bin | cut -d' ' -f1)"
		n=$((n + 1))
	done < <("$od" -h -w "$img")
	expect_json "$j" '.sections | length' "$n"
	expect_json "$j" .pe.number_of_sections "$n"
	"$PEKEXEC" inspect "$img" >text.out || fail "inspect (text) $img"
	for name in $(jq -r '.sections[].name' "$j"); do
		grep -q -- " $name " text.out || fail "$img: text output lacks section $name"
	done
	ok
}

# check_zboot_payload IMAGE: the payload the header points at decompresses,
# with the format's own CLI tool, to exactly image_size bytes (payload.out).
check_zboot_payload() {
	local img=$1 j off size fmt cmd
	j=$(json_of "$img") || fail "$j"
	off=$(jq -r .zboot.payload_offset "$j")
	size=$(jq -r .zboot.payload_size "$j")
	fmt=$(jq -r .zboot.format "$j")
	case $fmt in
	gzip) cmd="gzip -dc" ;; zstd) cmd="zstd -dcq" ;; xz) cmd="xz -dc" ;;
	lzma) cmd="lzma -dc" ;; lz4) cmd="lz4 -dc" ;; lzo) cmd="lzop -dc" ;;
	*) fail "$img: unexpected zboot format $fmt" ;;
	esac
	tail -c +$((off + 1)) "$img" | head -c "$size" | $cmd >payload.out ||
		fail "$img: $cmd rejects the payload at $off+$size"
	expect_json "$j" .zboot.image_size "$(stat -c %s payload.out)"
}

# check_signatures IMAGE DIGEST_OK: vs sbverify --list, and digest_ok vs
# sbverify --cert with the certificates carried in the signature itself.
check_signatures() {
	local img=$1 want_ok=$2 j line off size dwlen n cn
	j=$(json_of "$img") || fail "$j"
	line=$(objdump -p "$img" | grep '^Entry 4 ') || fail "$img: no directory 4"
	set -- $line
	off=$((0x$3)) size=$((0x$4))
	expect_json "$j" .signatures.certificate_table.offset "$off"
	expect_json "$j" .signatures.certificate_table.size "$size"
	n=$(sbverify --list "$img" | grep -c '^signature [0-9]')
	expect_json "$j" '.signatures.list | length' "$n"
	cn=$(sbverify --list "$img" | sed -n 's/^ - subject: .*CN=//p' | head -n 1)
	expect_json "$j" '.signatures.list[0].subject | sub(".*CN = "; "")' "$cn"
	dwlen=$(od -An -tu4 -j "$off" -N4 "$img" | tr -d ' ')
	expect_json "$j" .signatures.list[0].length "$dwlen"
	dd if="$img" of=p7.der bs=1 skip=$((off + 8)) count=$((dwlen - 8)) status=none
	openssl pkcs7 -inform DER -print_certs -in p7.der >signers.pem || fail "openssl pkcs7"
	if sbverify --cert signers.pem "$img" >sbv.out 2>&1; then
		want=true
	elif grep -q "Hash doesn't match" sbv.out; then
		want=false
	else
		fail "$img: sbverify: $(cat sbv.out)"
	fi
	[ "$want" = "$want_ok" ] || fail "$img: sbverify says digest_ok=$want, test expected $want_ok"
	expect_json "$j" .signatures.list[0].digest_ok "$want"
	expect_json "$j" .signatures.list[0].digest_algorithm sha256
}

for tool in jq objdump objcopy sbverify openssl gzip; do
	command -v "$tool" >/dev/null || skip "$tool not installed (scripts/deps.sh ensure test)"
done
[ -s "$IMAGES/vmlinuz-amd64" ] && [ -s "$IMAGES/linuxx64.efi.stub" ] ||
	skip "real images missing (make images)"

# --- the real images and a UKI built by objcopy --------------------------
printf 'ID=debian\nVERSION_ID=12\n' >osrel
printf 'console=ttyS0 quiet' >cmdline
head -c 200003 /dev/urandom >initrd
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" uki.efi \
	.osrel=osrel .cmdline=cmdline .initrd=initrd .linux="$IMAGES/vmlinuz-amd64" ||
	fail "objcopy could not build the UKI"

for img in "$IMAGES/vmlinuz-amd64" "$IMAGES/linuxx64.efi.stub" uki.efi; do
	compare_with_objdump "$img"
done

# The UKI's added sections are the input files, byte for byte.
"$PEKEXEC" inspect --json uki.efi >uki.json || fail "inspect uki.efi"
for pair in .osrel=osrel .cmdline=cmdline .initrd=initrd .linux="$IMAGES/vmlinuz-amd64"; do
	name=${pair%%=*} file=${pair#*=}
	want=$(sha256sum "$file" | cut -d' ' -f1)
	got=$(jq -r --arg n "$name" '.sections[] | select(.name == $n) | .data_sha256' uki.json)
	[ "$want" = "$got" ] || fail "uki $name: sha256 $got, input file has $want"
	want=$(stat -L -c %s "$file")
	got=$(jq -r --arg n "$name" '.sections[] | select(.name == $n) | .data_size' uki.json)
	[ "$want" = "$got" ] || fail "uki $name: data_size $got, input file has $want bytes"
done
[ "$(jq -r '.bpf' uki.json)" = null ] || fail "uki: .bpf reported but there is none"
[ "$(jq -r '.signatures.certificate_table' uki.json)" = null ] ||
	fail "uki: objcopy drops the signature, inspect reports one"

# --- signatures ----------------------------------------------------------
check_signatures "$IMAGES/vmlinuz-amd64" true
# --trust: the signer's own certificates make it trusted (sbverify --cert
# agreed above), an unrelated self-signed certificate does not.
expect_exit 0 "--trust signer" "$PEKEXEC" inspect --json --trust signers.pem "$IMAGES/vmlinuz-amd64"
expect_json out .signatures.list[0].trusted true
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1 \
	-subj /CN=other >/dev/null 2>&1 || fail "openssl req"
sbverify --cert other.pem "$IMAGES/vmlinuz-amd64" >/dev/null 2>&1 && fail "sbverify trusts an unrelated cert"
expect_exit 0 "--trust other" "$PEKEXEC" inspect --json --trust other.pem "$IMAGES/vmlinuz-amd64"
expect_json out .signatures.list[0].trusted false
expect_json "$(json_of "$IMAGES/vmlinuz-amd64")" .signatures.list[0].trusted null
expect_exit 1 "--trust missing" "$PEKEXEC" inspect --trust no-such.pem "$IMAGES/vmlinuz-amd64"
grep -q '^pekexec: inspect: --trust: no-such.pem' err || fail "message: $(cat err)"

# A copy with one byte of .text changed: same signature, digest no longer matches.
cp "$IMAGES/vmlinuz-amd64" tampered.efi
off=$(jq -r '.sections[] | select(.name == ".text") | .data_offset + 4096' "$(json_of "$IMAGES/vmlinuz-amd64")")
printf '\x5a' | dd of=tampered.efi bs=1 seek="$off" conv=notrunc status=none
check_signatures tampered.efi false

# --- a zboot header: payload from the real gzip --------------------------
head -c 300001 /dev/urandom | base64 >image
gzip -9 -n -c image >payload.gz
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" zboot.efi .linux=payload.gz ||
	fail "objcopy could not build the zboot test image"
read -r _ _ _ _ _ pay_off _ < <(objdump -h -w zboot.efi | awk '$2 == ".linux"')
pay_off=$((0x$pay_off))
pay_size=$(stat -c %s payload.gz)
{
	printf 'zimg'
	le32 "$pay_off"
	le32 "$pay_size"
	le32 0
	le32 0
	printf 'gzip\0'
} | dd of=zboot.efi bs=1 seek=4 conv=notrunc status=none
"$PEKEXEC" inspect --json zboot.efi >zboot.json || fail "inspect zboot.efi"
expect_json zboot.json '.zboot.payload_offset' "$pay_off"
expect_json zboot.json '.zboot.payload_size' "$pay_size"
expect_json zboot.json '.zboot.compression' gzip
expect_json zboot.json '.zboot.format' gzip
expect_json zboot.json '.zboot.image_size' "$(stat -c %s image)"
expect_json zboot.json '.zboot.payload_sha256' "$(sha256sum payload.gz | cut -d' ' -f1)"
check_zboot_payload zboot.efi
cmp -s payload.out image || fail "zboot payload does not decompress to the input"
"$PEKEXEC" inspect zboot.efi | grep -q "^zboot: *gzip (gzip), payload at 0x$(printf %x "$pay_off")" ||
	fail "text output does not show the zboot header"

# --- real zboot images (arm64 vmlinuz.efi), when a kernel build made one ---
nreal=0
for img in "$IMAGES"/vmlinuz-arm64.efi "$BUILD"/kernel/*/arch/arm64/boot/vmlinuz.efi; do
	[ -s "$img" ] || continue
	compare_with_objdump "$img"
	j=$(json_of "$img") || fail "$j"
	[ "$(jq -r .zboot "$j")" != null ] || fail "$img: no zboot header found"
	check_zboot_payload "$img"
	nreal=$((nreal + 1))
done
[ "$nreal" -gt 0 ] || echo "note: no real arm64 zboot image (\$IMAGES/vmlinuz-arm64.efi); synthetic one only"

# --- .bpf presence -------------------------------------------------------
printf 'not really an ELF object' >bpf.o
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" withbpf.efi .bpf=bpf.o ||
	fail "objcopy could not add .bpf"
"$PEKEXEC" inspect --json withbpf.efi >withbpf.json || fail "inspect withbpf.efi"
expect_json withbpf.json '.bpf.size' "$(stat -c %s bpf.o)"
expect_json withbpf.json '.bpf.sha256' "$(sha256sum bpf.o | cut -d' ' -f1)"

# --- UKI profiles: the sections each one sees ----------------------------
printf 'ID=debian\n' >p-os.txt
printf 'quiet' >p-c0.txt
printf 'rescue' >p-c1.txt
printf 'ID=main\n' >p-0.txt
printf 'ID=rescue\nTITLE="Rescue shell"\n' >p-1.txt
printf 'k' >p-k.bin
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" prof.tmp .osrel=p-os.txt \
	.cmdline=p-c0.txt .linux=p-k.bin .prof0=p-0.txt .prof1=p-1.txt .cl1=p-c1.txt ||
	fail "objcopy: profile UKI"
objcopy --rename-section .prof0=.profile --rename-section .prof1=.profile \
	--rename-section .cl1=.cmdline prof.tmp prof.efi || fail "objcopy --rename-section"
"$PEKEXEC" inspect --json prof.efi >prof.json || fail "inspect prof.efi"
# objdump -h: "Idx Name ..." rows, Idx 0-based in table order
idx() { objdump -h prof.efi | awk -v n="$1" -v k="$2" '$2 == n && ++c == k {print $1 + 0}'; }
expect_json prof.json '.profiles | length' 2
expect_json prof.json '[.profiles[].id] | join(",")' "main,rescue"
expect_json prof.json '.profiles[1].title' "Rescue shell"
sect() { jq -r --arg n "$2" ".profiles[$1].sections[] | select(.name == \$n) | \"\(.section) \(.base)\"" prof.json; }
[ "$(sect 0 .cmdline)" = "$(idx .cmdline 1) true" ] || fail "profile 0 .cmdline: $(sect 0 .cmdline)"
[ "$(sect 1 .cmdline)" = "$(idx .cmdline 2) false" ] || fail "profile 1 .cmdline: $(sect 1 .cmdline)"
[ "$(sect 1 .osrel)" = "$(idx .osrel 1) true" ] || fail "profile 1 .osrel: $(sect 1 .osrel)"
[ "$(sect 0 .profile)" = "$(idx .profile 1) false" ] || fail "profile 0 .profile: $(sect 0 .profile)"
[ "$(sect 1 .profile)" = "$(idx .profile 2) false" ] || fail "profile 1 .profile: $(sect 1 .profile)"
ok
"$PEKEXEC" inspect prof.efi >prof.txt || fail "inspect prof.efi (text)"
grep -q "^  @1 ID=rescue \"Rescue shell\": .* \.cmdline#$(idx .cmdline 2) " prof.txt || fail "text: $(grep '@1' prof.txt)"
ok
# a UKI without .profile: one profile, the base; a plain PE: none
expect_json withbpf.json '.profiles | length' 0
"$TOP/tests/lib/mkuki-objcopy.sh" "$IMAGES/linuxx64.efi.stub" noprof.efi .cmdline=p-c0.txt .linux=p-k.bin ||
	fail "objcopy: noprof.efi"
"$PEKEXEC" inspect --json noprof.efi >noprof.json || fail "inspect noprof.efi"
expect_json noprof.json '[.profiles[] | .index, .id, ([.sections[].name] | join(" "))] | join("|")' "0||.linux .cmdline .sbat"

# --- exit codes and messages --------------------------------------------
expect_exit 3 "truncated" "$PEKEXEC" inspect --json <(head -c 5000 "$IMAGES/vmlinuz-amd64")
head -c 5000 "$IMAGES/vmlinuz-amd64" >truncated.efi
expect_exit 3 "truncated" "$PEKEXEC" inspect truncated.efi
grep -q '^pekexec: inspect: truncated.efi: .*0x' err || fail "message lacks file and offset: $(cat err)"
printf 'hello\n' >text.txt
expect_exit 3 "not a PE" "$PEKEXEC" inspect text.txt
grep -q '^pekexec: inspect: text.txt: not a PE image' err || fail "message: $(cat err)"
expect_exit 1 "missing file" "$PEKEXEC" inspect does-not-exist.efi
grep -q 'does-not-exist.efi' err || fail "message does not name the file: $(cat err)"
expect_exit 1 "directory" "$PEKEXEC" inspect .
expect_exit 2 "no argument" "$PEKEXEC" inspect
expect_exit 2 "two arguments" "$PEKEXEC" inspect a b
expect_exit 2 "bad option" "$PEKEXEC" inspect --frobnicate uki.efi
expect_exit 0 "--help" "$PEKEXEC" inspect --help
grep -q -- '--json' out || fail "--help does not mention --json"
# Break one section header field of a real image: PointerToRawData of .text.
cp "$IMAGES/linuxx64.efi.stub" badsec.efi
hdr=$(jq -r '.sections[0].header_offset' "$(json_of "$IMAGES/linuxx64.efi.stub")")
le32 0x7fffff00 | dd of=badsec.efi bs=1 seek=$((hdr + 20)) conv=notrunc status=none
expect_exit 3 "bad PointerToRawData" "$PEKEXEC" inspect badsec.efi
grep -q 'section 0 (.text): PointerToRawData 0x7fffff00' err || fail "message: $(cat err)"

echo "ok: $checks checks"
