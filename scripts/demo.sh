#!/bin/bash
# SPDX-License-Identifier: MIT
#
# demo.sh - `make demo`: the main job on a built-in default, narrated.
#
# From the distribution's own kernel (Debian's signed vmlinuz) and a tiny
# initrd, build a UKI whose .bpf section carries the UKI parser program,
# sign it with a throw-away key, then show what a loader does with it:
# verify the signature (which covers .bpf), run the image's own program in
# the sandbox, and unpack kernel, initrd and command line -- byte-identical
# to what went in; show that a tampered image is refused.  Finally, boot
# Debian's kernel in QEMU, load the signed UKI with pekexec and kexec into
# it: the second kernel runs with the UKI's own command line and initrd.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
pk="$BUILD/pekexec"
images="$BUILD/images"
work="$BUILD/demo"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
sha() { sha256sum "$1" | cut -c1-16; }

say "1. Inputs: Debian's kernel, a small initrd, a command line"
cp "$images/vmlinuz-amd64" vmlinuz
mkdir -p initrd-root
echo "hello from the demo initrd" > initrd-root/marker
(cd initrd-root && find . | cpio -o -H newc --quiet) | gzip -9n > initrd.img
cmdline="console=ttyS0 quiet pekexec.demo=1"
echo "kernel  $(stat -c %s vmlinuz) bytes  sha256 $(sha vmlinuz)...  ($(cat "$images/vmlinuz-amd64.pkg"))"
echo "initrd  $(stat -c %s initrd.img) bytes  sha256 $(sha initrd.img)..."
echo "cmdline \"$cmdline\""

say "2. A throw-away signing key (stands in for the distribution's)"
openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=pekexec demo signer/" \
	-days 30 -keyout demo.key -out demo.crt 2>/dev/null
echo "demo.crt: $(openssl x509 -in demo.crt -noout -subject)"

say "3. Build and sign a UKI on systemd's stub, with the UKI parser in .bpf"
run "$pk" build-uki --linux vmlinuz --initrd initrd.img --cmdline "$cmdline" \
	--key demo.key --cert demo.crt -o demo.efi
run "$pk" inspect demo.efi | sed -n '1,60p'

say "4. The signature covers every section, .bpf included"
run "$pk" verify --trust demo.crt demo.efi
if command -v sbverify >/dev/null; then
	run sbverify --cert demo.crt demo.efi
fi

say "5. The image's own program, run in the sandbox: the commands it issues"
run "$pk" bpf run demo.efi demo.efi

if "$pk" extract --help >/dev/null 2>&1; then
	say "6. Unpack it as a loader would (verify -> stages -> components)"
	run "$pk" extract --trust demo.crt --verify require -o out demo.efi
	echo
	echo "kernel  sha256 $(sha out/kernel)...  input $(sha vmlinuz)..."
	echo "initrd  sha256 $(sha out/initrd)...  input $(sha initrd.img)..."
	echo "cmdline \"$(cat out/cmdline)\""
	cmp -s out/kernel vmlinuz && echo "kernel: byte-identical to the input"
	cmp -s out/initrd initrd.img && echo "initrd: byte-identical to the input"

	say "7. Change one byte of the command line: the loader refuses"
	cp demo.efi tampered.efi
	off=$(grep -abo "pekexec.demo=1" tampered.efi | head -n1 | cut -d: -f1)
	printf 'X' | dd of=tampered.efi bs=1 seek="$off" conv=notrunc status=none
	set +e
	"$pk" extract --trust demo.crt --verify require -o out2 tampered.efi
	rc=$?
	set -e
	echo "exit code $rc (5 = a signature does not match the image)"
	[ "$rc" -eq 5 ]
fi

# ---- kexec act (owner: kexec; tests/e2e/demo-act.sh) ----
say "8. kexec for real: Debian's kernel in QEMU loads the signed UKI and kexecs"
"$top/tests/e2e/demo-act.sh" "$BUILD" "$work/vm" "$work/demo.key" "$work/demo.crt"
# ---- end of kexec act ----

say "Done.  Files are in $work"
