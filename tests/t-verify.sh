#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-verify.sh - pekexec sign / verify against independent implementations:
#   sbsign/sbverify (sbsigntool), pesign --hash, osslsigncode (sha384/512,
#   PE CheckSum), openssl (keys, chains, certificate extraction).
# Keys and certificates are made here with openssl req.
set -u
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
need() { command -v "$1" >/dev/null || { echo "SKIP: $1 not installed"; exit 77; }; }
need sbsign; need sbverify; need pesign; need openssl; need osslsigncode
STUB=$IMAGES/linuxx64.efi.stub
VMLINUZ=$IMAGES/vmlinuz-amd64
[ -f "$STUB" ] || { echo "SKIP: $STUB missing"; exit 77; }

# expect CODE cmd...: run, compare the exit status
expect() {
	local want=$1 got
	shift
	"$@" >out.txt 2>err.txt
	got=$?
	if [ "$got" -eq "$want" ]; then ok "exit $want: $*"; else
		bad "exit $got, wanted $want: $*"; sed 's/^/    /' err.txt; fi
}

# Our image digest for signature N as printed by verify -v.
our_digest() { # image trust n
	"$PEKEXEC" -v verify --trust "$2" "$1" 2>&1 >/dev/null |
		sed -n "s/^.*: signature $3: image [a-z0-9]* digest \([0-9a-f]*\)$/\1/p"
}
pesign_hash() { pesign -h -i "$1" | sed -n 's/^hash: //p'; }
ossl_calc() { osslsigncode verify -CAfile "$2" -in "$1" 2>&1 |
	sed -n 's/^Calculated message digest *: *\([0-9A-F]*\).*/\1/p' | head -n 1 |
	tr 'A-F' 'a-f'; }

# --- keys: a CA, a leaf it issued, two self-signed signers --------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
	-subj "/CN=pekexec test CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=keyCertSign 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr \
	-subj "/CN=pekexec test signer" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n' >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 30 -extfile leaf.ext -out leaf.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 30 \
	-subj "/CN=pekexec self-signed" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout other.key -out other.pem -days 30 -subj "/CN=unrelated" 2>/dev/null
openssl x509 -in self.pem -outform DER -out self.der
[ -s leaf.pem ] && [ -s other.pem ] || { bad "openssl could not make keys"; exit 1; }
cp "$STUB" stub.efi

# --- our signature, sbverify's verdict -----------------------------------
expect 0 "$PEKEXEC" sign --key leaf.key --cert leaf.pem stub.efi ours.efi
expect 0 sbverify --cert leaf.pem ours.efi
expect 0 sbverify --cert ca.pem ours.efi
expect 0 "$PEKEXEC" verify --trust ca.pem ours.efi       # CA anchor
expect 0 "$PEKEXEC" verify --trust leaf.pem ours.efi     # signer as anchor (partial chain)
expect 6 "$PEKEXEC" verify --trust other.pem ours.efi    # untrusted
expect 1 sbverify --cert other.pem ours.efi
grep -q 'signer "CN = pekexec test signer"' <("$PEKEXEC" verify --trust ca.pem ours.efi) &&
	ok "verify prints the accepted signer" || bad "signer not printed"
# digest: ours == pesign's.  The stub is 83297 bytes: signing pads it to 8,
# and the padding is hashed as trailing data, so compare on the signed file.
d_pesign=$(pesign_hash ours.efi)
d_ours=$(our_digest ours.efi ca.pem 0)
[ -n "$d_pesign" ] && [ "$d_ours" = "$d_pesign" ] && ok "sha256 digest equals pesign --hash ($d_ours)" ||
	bad "digest: ours '$d_ours' pesign '$d_pesign'"
# sbsign's layout: our file has the same length as sbsign's (same padding, same table place)
sbsign --key leaf.key --cert leaf.pem --output sb.efi stub.efi 2>/dev/null
[ "$(pesign_hash sb.efi)" = "$d_pesign" ] && ok "sbsign signed the same digest (pesign)" ||
	bad "pesign hash of sbsign's output differs"
[ "$(stat -c %s sb.efi)" = "$(stat -c %s ours.efi)" ] && ok "same length as sbsign output" ||
	bad "length $(stat -c %s ours.efi) vs sbsign $(stat -c %s sb.efi)"
# CheckSum: osslsigncode reports a mismatch as "Calculated PE checksum"
if osslsigncode verify -CAfile ca.pem -in ours.efi 2>&1 | grep -q 'Calculated PE checksum'; then
	bad "osslsigncode: PE CheckSum wrong"
else ok "osslsigncode: PE CheckSum consistent"; fi
expect 0 osslsigncode verify -CAfile ca.pem -in ours.efi

# --- sbsign's signature, our verdict --------------------------------------
expect 0 "$PEKEXEC" verify --trust leaf.pem sb.efi
expect 0 "$PEKEXEC" verify --trust ca.pem sb.efi
expect 6 "$PEKEXEC" verify --trust self.pem sb.efi
# trust from a DER file and from a directory (with a non-certificate file)
mkdir anchors && cp ca.pem anchors/ && echo "not a certificate" >anchors/README
expect 0 "$PEKEXEC" verify --trust anchors sb.efi
expect 0 "$PEKEXEC" -q verify --trust other.pem --trust anchors sb.efi
"$PEKEXEC" sign --key self.key --cert self.der stub.efi selfder.efi >/dev/null 2>&1
expect 0 "$PEKEXEC" verify --trust self.der selfder.efi
expect 0 sbverify --cert self.pem selfder.efi

# --- --append: two signatures, both reported -----------------------------
expect 0 "$PEKEXEC" sign --append --key self.key --cert self.pem ours.efi two.efi
n=$(sbverify --list two.efi 2>/dev/null | grep -c '^signature [0-9]')
[ "$n" = 2 ] && ok "sbverify --list sees 2 signatures" || bad "sbverify --list: $n signatures"
n=$("$PEKEXEC" -v verify --trust self.pem two.efi 2>&1 | grep -c 'signature [0-9] at 0x.*digest ok, signature ok')
[ "$n" = 2 ] && ok "verify -v reports 2 good signatures" || bad "verify -v: $n good signatures"
expect 0 "$PEKEXEC" verify --trust self.pem two.efi      # the second one
expect 0 "$PEKEXEC" verify --trust ca.pem two.efi        # the first one
expect 6 "$PEKEXEC" verify --trust other.pem two.efi
expect 0 sbverify --cert leaf.pem two.efi
[ "$(pesign_hash two.efi)" = "$d_pesign" ] && ok "pesign hash unchanged by --append" ||
	bad "pesign hash changed by --append"
# sbsign appending to ours, and we to sbsign's, read both ways
sbsign --key self.key --cert self.pem --output two-sb.efi ours.efi 2>/dev/null
expect 0 "$PEKEXEC" verify --trust self.pem two-sb.efi
n=$("$PEKEXEC" -v verify --trust self.pem two-sb.efi 2>&1 | grep -c 'digest ok, signature ok')
[ "$n" = 2 ] && ok "sbsign-appended: 2 good signatures" || bad "sbsign-appended: $n"
# re-signing without --append replaces the signatures
expect 0 "$PEKEXEC" sign --key self.key --cert self.pem two.efi one.efi
expect 6 "$PEKEXEC" verify --trust ca.pem one.efi
cmp -s one.efi <(head -c "$(stat -c %s one.efi)" one.efi) && [ "$(stat -c %s one.efi)" -lt "$(stat -c %s two.efi)" ] &&
	ok "re-signing drops the old signature" || bad "re-signed image not smaller"

# --- sha384 / sha512: osslsigncode verifies and computes the digest ------
for alg in sha384 sha512; do
	expect 0 "$PEKEXEC" sign --digest $alg --key leaf.key --cert leaf.pem stub.efi $alg.efi
	expect 0 osslsigncode verify -CAfile ca.pem -in $alg.efi
	d_o=$(ossl_calc $alg.efi ca.pem)
	d_p=$(our_digest $alg.efi ca.pem 0)
	[ -n "$d_o" ] && [ "$d_o" = "$d_p" ] && ok "$alg digest equals osslsigncode's ($d_p)" ||
		bad "$alg digest: ours '$d_p' osslsigncode '$d_o'"
	expect 0 "$PEKEXEC" verify --trust ca.pem $alg.efi
done

# --- exit codes ------------------------------------------------------------
expect 4 "$PEKEXEC" verify --trust ca.pem stub.efi
cp ours.efi tampered.efi
printf '\x55' | dd of=tampered.efi bs=1 seek=2000 conv=notrunc status=none
expect 5 "$PEKEXEC" verify --trust ca.pem tampered.efi
expect 1 sbverify --cert leaf.pem tampered.efi
cat ours.efi >junk.efi && printf 'smuggled' >>junk.efi
expect 3 "$PEKEXEC" verify --trust ca.pem junk.efi
grep -q 'data after the certificate table' err.txt && ok "message names the smuggled data" ||
	bad "no reason for the malformed table: $(cat err.txt)"
expect 2 "$PEKEXEC" verify ours.efi
expect 2 "$PEKEXEC" verify --trust ca.pem
expect 2 "$PEKEXEC" sign --key leaf.key stub.efi x.efi
expect 2 "$PEKEXEC" sign --digest md5 --key leaf.key --cert leaf.pem stub.efi x.efi
expect 1 "$PEKEXEC" verify --trust ca.pem no-such-file.efi
expect 1 "$PEKEXEC" verify --trust no-such-cert.pem ours.efi
expect 1 "$PEKEXEC" sign --key self.key --cert leaf.pem stub.efi x.efi   # key/cert mismatch
[ ! -e x.efi ] && ok "no output on failure" || bad "x.efi written on failure"
expect 0 "$PEKEXEC" verify --help
grep -q -- '--trust CERT_OR_DIR' out.txt && ok "verify --help" || bad "verify --help text"
expect 0 "$PEKEXEC" sign --help
grep -q -- '--append' out.txt && ok "sign --help" || bad "sign --help text"

# --- trust policy: expired signer accepted (like the kernel and sbverify) -
mkdir ca-db && touch ca-db/index.txt && echo 01 >ca-db/serial
cat >ca.cnf <<'EOF'
[ca]
default_ca = d
[d]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = p
[p]
commonName = supplied
EOF
openssl req -new -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj /CN=expired 2>/dev/null
openssl ca -batch -notext -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem \
	-startdate 20000101000000Z -enddate 20010101000000Z >/dev/null 2>&1
if [ -s old.pem ]; then
	expect 0 "$PEKEXEC" sign --key old.key --cert old.pem stub.efi old.efi
	expect 0 "$PEKEXEC" verify --trust old.pem old.efi
	expect 0 sbverify --cert old.pem old.efi
else bad "could not make an expired certificate"; fi
# a non-CA certificate cannot act as an issuer: leaf2 "issued" by leaf
openssl req -new -newkey rsa:2048 -nodes -keyout sub.key -out sub.csr -subj /CN=sub 2>/dev/null
openssl x509 -req -in sub.csr -CA leaf.pem -CAkey leaf.key -CAcreateserial -days 30 \
	-out sub.pem 2>/dev/null
"$PEKEXEC" sign --key sub.key --cert sub.pem stub.efi sub.efi >/dev/null 2>&1
expect 6 "$PEKEXEC" verify --trust leaf.pem sub.efi
expect 0 "$PEKEXEC" verify --trust sub.pem sub.efi

# intermediates embedded by sbsign --addcert: root -> intermediate -> leaf3
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n' >ca.ext
openssl req -new -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr \
	-subj "/CN=pekexec intermediate" 2>/dev/null
openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
	-extfile ca.ext -out inter.pem 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf3.key -out leaf3.csr \
	-subj "/CN=pekexec leaf3" 2>/dev/null
openssl x509 -req -in leaf3.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 \
	-extfile leaf.ext -out leaf3.pem 2>/dev/null
sbsign --key leaf3.key --cert leaf3.pem --addcert inter.pem --output chain.efi stub.efi 2>/dev/null
sbsign --key leaf3.key --cert leaf3.pem --output nochain.efi stub.efi 2>/dev/null
expect 0 sbverify --cert ca.pem chain.efi
expect 0 "$PEKEXEC" verify --trust ca.pem chain.efi      # via the embedded intermediate
expect 0 "$PEKEXEC" verify --trust inter.pem chain.efi
expect 1 sbverify --cert ca.pem nochain.efi
expect 6 "$PEKEXEC" verify --trust ca.pem nochain.efi    # intermediate missing
expect 0 "$PEKEXEC" verify --trust ca.pem --trust inter.pem nochain.efi

# --- Debian's signed kernel -----------------------------------------------
if [ -f "$VMLINUZ" ]; then
	d_p=$(pesign_hash "$VMLINUZ")
	# the table: WIN_CERTIFICATE at the directory's offset; extract the PKCS#7
	off=$("$PEKEXEC" -v verify --trust ca.pem "$VMLINUZ" 2>&1 |
		sed -n 's/.*signature 0 at 0x\([0-9a-f]*\) (\([0-9]*\) bytes).*/\1 \2/p')
	set -- $off
	if [ $# -eq 2 ]; then
		dd if="$VMLINUZ" of=deb.p7 bs=1 skip=$((0x$1 + 8)) count=$(($2 - 8)) status=none
		openssl pkcs7 -inform DER -in deb.p7 -print_certs >deb-certs.pem 2>/dev/null
		subj=$(openssl x509 -in deb-certs.pem -noout -subject -nameopt oneline | sed 's/^subject=//')
		expect 0 "$PEKEXEC" verify --trust deb-certs.pem "$VMLINUZ"
		grep -qF "signer \"$subj\"" out.txt && ok "Debian signer: $subj" ||
			bad "signer line '$(cat out.txt)' lacks '$subj'"
		expect 0 sbverify --cert deb-certs.pem "$VMLINUZ"
		d_o=$(our_digest "$VMLINUZ" deb-certs.pem 0)
		[ -n "$d_p" ] && [ "$d_o" = "$d_p" ] && ok "vmlinuz digest equals pesign --hash ($d_p)" ||
			bad "vmlinuz digest ours '$d_o' pesign '$d_p'"
		# the signed digest inside the PKCS#7 (openssl's view) is the same
		d_s=$(openssl asn1parse -inform DER -in deb.p7 2>/dev/null |
			grep -m1 -A0 'OCTET STRING *\[HEX DUMP\]' | sed 's/.*://' | tr 'A-F' 'a-f')
		[ "$d_s" = "$d_p" ] && ok "digest signed by Debian equals pesign's" || bad "signed digest '$d_s'"
		expect 6 "$PEKEXEC" verify --trust ca.pem "$VMLINUZ"
	else
		bad "no signature listed for $VMLINUZ"
	fi
else
	echo "note: $VMLINUZ missing, Debian kernel checks not run"
fi

exit $fail
