# SPDX-License-Identifier: MIT
# b-verify.sh - pekexec verify on a signed UKI of >= 60 MB (systemd's stub +
# Debian's vmlinuz as .linux + a random initrd), against one pass of
# sha256sum and openssl dgst -sha256 over the same file (the floor: the
# digest is one pass over the bytes) and against sbverify; and the peak RSS
# of pekexec verify (the file is read into memory once: about its size).
set -eu
. "$TOP/bench/lib.sh"
stub=$IMAGES/linuxx64.efi.stub
kernel=$IMAGES/vmlinuz-amd64
w=$BENCH_WORK/verify
mkdir -p "$w"
cd "$w"

openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 30 \
	-subj "/CN=bench" 2>/dev/null
head -c $((56 << 20)) /dev/urandom >initrd.bin
echo "console=ttyS0" >cmdline.txt
objcopy --add-section .cmdline=cmdline.txt --change-section-vma .cmdline=0x30000 \
	--set-section-flags .cmdline=data,readonly \
	--add-section .linux="$kernel" --change-section-vma .linux=0x100000 \
	--set-section-flags .linux=code,readonly \
	--add-section .initrd=initrd.bin --change-section-vma .initrd=0x2000000 \
	--set-section-flags .initrd=data,readonly "$stub" uki.efi
"$PEKEXEC" sign --key k.pem --cert c.pem uki.efi signed.efi
rm -f initrd.bin uki.efi
size=$(stat -c %s signed.efi)

cat signed.efi >/dev/null # warm the page cache for every contender
t_ours=$(bench_time 5 "$PEKEXEC" verify --trust c.pem signed.efi)
t_sha=$(bench_time 5 sha256sum signed.efi)
t_ossl=$(bench_time 5 openssl dgst -sha256 signed.efi)
t_sb=$(bench_time 5 sbverify --cert c.pem signed.efi)
rss=$(bench_rss "$PEKEXEC" verify --trust c.pem signed.efi)

row "verify: signed UKI size" "$((size >> 20))" "MiB" "stub + vmlinuz-amd64 + random initrd"
row "verify: pekexec verify" "$t_ours" "s" "best of 5"
row "verify: sha256sum of the same file" "$t_sha" "s" "best of 5"
row "verify: pekexec verify / sha256sum" "$(bench_ratio "$t_ours" "$t_sha")" "ratio" "coreutils sha256sum: no SHA CPU extensions"
row "verify: openssl dgst -sha256 of the same file" "$t_ossl" "s" "same SHA-256 code as ours"
row "verify: pekexec verify / openssl dgst -sha256" "$(bench_ratio "$t_ours" "$t_ossl")" "ratio" "1.0 = one pass over the bytes"
row "verify: sbverify" "$t_sb" "s" "best of 5"
row "verify: pekexec verify / sbverify" "$(bench_ratio "$t_ours" "$t_sb")" "ratio" "< 1: faster than sbverify"
row "verify: pekexec verify peak RSS" "$rss" "KiB" "the file read into memory included"
