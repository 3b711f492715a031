#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-arm64.sh - the CONFIG_KEXEC_BPF series on arm64 (issue #6):
# the patched arm64 kernel (kernel/build.sh arm64, into $BUILD/kernel;
# with KSERIES=6.12, linux-source-6.12 with kernel/patches-6.12/ into
# $BUILD/kernel-6.12: tests/t-kernel-6.12-arm64.sh) boots in
# qemu-system-aarch64 (TCG, -M virt) with lockdown=integrity and kexecs,
# through kexec_file_load() alone, (a) the build's own signed zboot
# vmlinuz.efi with .bpf and (b) a signed UKI whose .linux is that zboot
# (two stages).  docs/kernel-arm64.md.
#
# One QEMU run, three kernels, all the same patched build:
#   kernel 1 (qemu -kernel Image, tests/e2e/kernel-arm64-first-init.sh):
#     `pekexec load --dry-run` says "source kernel-bpf" (auto-detection);
#     unsigned, tampered (one byte) and untrusted-key images: EPERM, and
#     pekexec's exit code 4; the signed UKI loads (report printed), and
#     loads again while tests/vm/pk-race.c reaches for the light
#     skeleton's objects by fd, id and pidfd_getfd() (nothing), and again
#     while root's own sleepable fentry program on
#     kexec_image_parser_anchor (tests/vm/progs/vm_attack_inject.bpf.c,
#     through tests/vm/pk-bpf-check.c) asks for the parser context and
#     appends to the command line: it must attach if the kernel has ftrace
#     direct calls (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS in its
#     .config: 6.12) and be refused with -ENOTSUPP (-524) if not (6.1),
#     and never run either way (the anchor is never called); the
#     signed zboot is loaded with `pekexec load --initrd --append` and
#     exec'ed;
#   kernel 2 (that zboot, tests/e2e/kernel-arm64-second-init.sh from the
#     user initrd): prints its marker and /proc/cmdline, loads the signed
#     UKI under lockdown (report printed) and exec's it;
#   kernel 3 (the UKI, tests/e2e/arm64-second-init.sh from its .initrd):
#     prints its marker and /proc/cmdline.
#
# Oracles: sha256sum of the build's Image (what the zboot decompresses
# to; on 6.12 zero-padded to its image_size, as 6.12's zboot packs it;
# checked with gzip -d), of the initrds and command lines the host wrote; `pekexec extract`
# of the same images on the host (manifest.json); the kernels' own
# verdicts (errno, /proc/cmdline, markers on the serial console).  The
# kernel's debugfs report (loaded kernel/initrd/cmdline, stageN kernel)
# must equal both, byte for byte (sha256 and size).
#
# Skips (77) only when the tarball, QEMU or the cross compiler are missing
# and cannot be installed, or when `make check` leaves this series out
# (CHECK_KERNELS in mk/kernel.mk).  KERNEL_ARM64_TIMEOUT: seconds for the
# QEMU run (default 900).
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

kseries=${KSERIES:-6.1}
. "$TOP/tests/lib/vm-lib.sh"
kout=$(vm_kernel_out "$kseries") || fail "unknown KSERIES '$kseries'"
tname=t-kernel$([ "$kseries" = 6.1 ] || echo "-$kseries")-arm64
vm_check_kernels "$kseries" arm64
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-$kseries.tar.xz}
if [ ! -r "$tarball" ] || ! command -v qemu-system-aarch64 >/dev/null ||
   ! command -v aarch64-linux-gnu-gcc >/dev/null; then
	"$TOP/scripts/deps.sh" ensure kernel qemu arm64 >deps.log 2>&1 || true
fi
[ -r "$tarball" ] ||
	skip "$tarball missing and not installable: $(tail -n 1 deps.log)"
command -v qemu-system-aarch64 >/dev/null ||
	skip "qemu-system-aarch64 missing and not installable: $(tail -n 1 deps.log)"
command -v aarch64-linux-gnu-gcc >/dev/null ||
	skip "aarch64-linux-gnu-gcc missing and not installable: $(tail -n 1 deps.log)"
vm_require_qemu aarch64
for tool in make gcc clang ccache bc bison flex pahole patch openssl sha256sum \
	jq od dd cpio aarch64-linux-gnu-strip; do
	command -v $tool >/dev/null ||
		fail "$tool missing (scripts/deps.sh ensure kernel test arm64)"
done

t0=$(date +%s)
if ! KSERIES=$kseries "$TOP/kernel/build.sh" -o "$kout" arm64 >build.log 2>&1; then
	tail -n 40 build.log
	fail "kernel build failed (KSERIES=$kseries kernel/build.sh -o $kout arm64)"
fi
grep '^time:\|^kernel:' build.log
echo "kernel build: $(($(date +%s) - t0))s (built or reused)"
kdir=$kout/arm64
keys=$kout/keys
image=$kdir/Image
zefi=$kdir/vmlinuz.efi
[ "$(head -c 8 "$zefi" | tail -c 4)" = zimg ] || fail "$zefi is not a zboot image"
grep -qx 'CONFIG_KEXEC_BPF=y' "$kdir/.config" || fail "$kdir/.config lacks CONFIG_KEXEC_BPF=y"

t1=$(date +%s)
pk=${PEKEXEC_FAST:-$BUILD/pekexec}
pka64=$BUILD/arm64/pekexec
make -s -C "$TOP" BUILD="$BUILD" "$pk" "$pka64" >tools.log 2>&1 ||
	{ tail -n 20 tools.log; fail "cannot build $pk and $pka64"; }
readelf -h "$pka64" | grep -q 'Machine:.*AArch64' || fail "$pka64 is not an AArch64 binary"
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o pk-kexec-file \
	"$TOP/tests/vm/pk-kexec-file.c"
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -pthread -o pk-race \
	"$TOP/tests/vm/pk-race.c"
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o pk-bpf-check \
	"$TOP/tests/vm/pk-bpf-check.c" -lbpf -lelf -lz -lzstd
# root's program on the anchor (as tests/vm/images.sh builds it: BPF
# bytecode is the same on every architecture)
clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -I"$TOP/include" \
	-I/usr/include/"$(gcc -print-multiarch)" -c -o vm_attack_inject.bpf.o \
	"$TOP/tests/vm/progs/vm_attack_inject.bpf.c"
# Oracle for the attach: the kernel's configuration.  Without ftrace
# direct calls arm64 has no BPF trampoline for a kernel function.
if grep -qx 'CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y' "$kdir/.config"; then
	ta_attach=0
else
	ta_attach=-524
fi
bb=$(vm_busybox_arm64) || skip "no arm64 busybox (scripts/deps.sh ensure arm64)"

sha() { sha256sum "$1" | cut -d' ' -f1; }
sz() { stat -c %s "$1"; }
# What the zboot decompresses to, the kernel the reports must name: 6.1
# compresses the build's Image as is; 6.12 pads it with zeros to the
# image_size of its header first (drivers/firmware/efi/libstub/
# Makefile.zboot).  Checked against gzip -d of the zboot's payload.
kimg=$image
if [ "$kseries" = 6.12 ]; then
	isz=$(od -An -tu8 -j16 -N8 "$image" | tr -d ' ')
	[ "$isz" -ge "$(sz "$image")" ] || fail "$image: image_size $isz below its size"
	{ cat "$image"; head -c $((isz - $(sz "$image"))) /dev/zero; } >image-padded
	kimg=image-padded
fi
zoff=$(od -An -tu4 -j8 -N4 "$zefi" | tr -d ' ')
zlen=$(od -An -tu4 -j12 -N4 "$zefi" | tr -d ' ')
dd if="$zefi" iflag=skip_bytes,count_bytes skip="$zoff" count="$zlen" bs=64K \
	status=none | gzip -dc | cmp -s - "$kimg" ||
	fail "$zefi does not decompress (gzip -d) to $kimg"
token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
base_cmdline="console=ttyAMA0 panic=-1 loglevel=6 lockdown=integrity"
append2="$base_cmdline pkarm.kernel=2"
append3="$base_cmdline pkarm.kernel=3"
mkdir -p img
sign=(--key "$keys/test.key" --cert "$keys/test.crt")

# kernel 3's initrd (the UKI's .initrd): busybox, /init, /marker
vm_cached_cpio "busybox-arm64-$(sha256sum "$bb" | cut -c1-12)" base.cpio vm_root_foreign "$bb"
rm -rf r3 && mkdir -p r3
cp "$TOP/tests/e2e/arm64-second-init.sh" r3/init
echo "uki-$token" >r3/marker
vm_cpio r3 r3.cpio
cat base.cpio r3.cpio >third.cpio

# the images
"$pk" add-bpf "$zefi" zboot-bpf.efi
"$pk" sign "${sign[@]}" zboot-bpf.efi img/zboot.efi
cp zboot-bpf.efi img/unsigned.efi
"$pk" sign --key "$keys/untrusted.key" --cert "$keys/untrusted.crt" zboot-bpf.efi img/untrusted.efi
# tampered: one byte in the middle of the compressed payload, after signing
cp img/zboot.efi img/tampered-zboot.efi
pay_off=$(od -An -tu4 -j8 -N4 img/zboot.efi | tr -d ' ')
pay_len=$(od -An -tu4 -j12 -N4 img/zboot.efi | tr -d ' ')
printf '\x5a' | dd of=img/tampered-zboot.efi bs=1 seek=$((pay_off + pay_len / 2)) \
	conv=notrunc status=none
cmp -s img/zboot.efi img/tampered-zboot.efi && fail "tampering changed nothing"
"$pk" build-uki --linux zboot-bpf.efi --initrd third.cpio --cmdline "$append3" \
	--uname "" "${sign[@]}" -o img/uki.efi
# tampered UKI: one byte of the command line (.cmdline), after signing
cp img/uki.efi img/tampered-uki.efi
off=$(grep -abo "pkarm.kernel=3" img/uki.efi | head -n1 | cut -d: -f1)
[ -n "$off" ] || fail "no command line found in img/uki.efi"
printf '4' | dd of=img/tampered-uki.efi bs=1 seek=$((off + 13)) conv=notrunc status=none
for f in zboot uki; do
	"$pk" verify --trust "$keys/test.crt" "img/$f.efi" >/dev/null ||
		fail "$f.efi: the host's pekexec verify fails"
done
"$pk" verify --trust "$keys/test.crt" img/tampered-uki.efi >/dev/null 2>&1 &&
	fail "tampered-uki.efi still verifies on the host"

# kernel 2's initrd (the user initrd of the zboot load): busybox,
# pk-kexec-file, /init, /marker and the UKI it loads
rm -rf r2 && mkdir -p r2/bin r2/img
cp "$TOP/tests/e2e/kernel-arm64-second-init.sh" r2/init
echo "zboot-$token" >r2/marker
cp pk-kexec-file r2/bin/
cp img/uki.efi r2/img/
vm_cpio r2 r2.cpio
cat base.cpio r2.cpio >img/second.cpio

# host oracles: pekexec extract of the same images, same user arguments
"$pk" extract --verify off -o x-zboot --initrd img/second.cpio \
	--command-line "$append2" img/zboot.efi >/dev/null
"$pk" extract --verify off -o x-uki img/uki.efi >/dev/null
printf '%s' "$append2" >cmdline2
printf '%s' "$append3" >cmdline3
rep() { echo "$1 sha256=$(sha "$2") size=$(sz "$2")"; }
declare -a want=()
# want TAG LINE: the report printed as TAG must have LINE
w() { want+=("$1 $2"); }
# ident TAG DIR: the report lines pekexec extract's manifest predicts
ident() {
	local m=$2/manifest.json k i n
	for k in kernel initrd cmdline; do
		w "$1" "loaded $k sha256=$(jq -r ".outputs.$k.sha256" "$m") size=$(jq -r ".outputs.$k.size" "$m")"
	done
	n=$(jq '.stages | length' "$m")
	for ((i = 0; i < n; i++)); do
		w "$1" "stage$((i + 1)) kernel sha256=$(jq -r ".stages[$i].kernel_out.sha256" "$m") size=$(jq -r ".stages[$i].kernel_out.size" "$m")"
	done
	w "$1" "result 0"
}
# independent oracles (sha256sum of what the host built)
w zboot "$(rep "loaded kernel" "$kimg")"
w zboot "$(rep "stage1 kernel" "$kimg")"
w zboot "$(rep "loaded initrd" img/second.cpio)"
w zboot "$(rep "loaded cmdline" cmdline2)"
ident zboot x-zboot
# uki-ta: the load while root's program is attached (when it attaches)
for t in uki1 uki2 $([ "$ta_attach" != 0 ] || echo uki-ta); do
	w $t "$(rep "loaded kernel" "$kimg")"
	w $t "$(rep "stage1 kernel" zboot-bpf.efi)"
	w $t "$(rep "stage2 kernel" "$kimg")"
	w $t "$(rep "loaded initrd" third.cpio)"
	w $t "$(rep "loaded cmdline" cmdline3)"
	ident $t x-uki
done

# kernel 1's initramfs
rm -rf r1 && mkdir -p r1/bin
cp "$TOP/tests/e2e/kernel-arm64-first-init.sh" r1/init
aarch64-linux-gnu-strip -o r1/bin/pekexec "$pka64"
cp pk-kexec-file pk-race pk-bpf-check r1/bin/
cp vm_attack_inject.bpf.o r1/
cp -r img r1/img
printf "APPEND2='%s'\nTA_ATTACH='%s'\n" "$append2" "$ta_attach" >r1/img/env
vm_cpio r1 r1.cpio
cat base.cpio r1.cpio >initramfs.cpio
echo "images and initramfs: $(($(date +%s) - t1))s; initramfs $(($(sz initramfs.cpio) >> 20)) MiB," \
	"zboot $(($(sz img/zboot.efi) >> 10)) KiB, UKI $(($(sz img/uki.efi) >> 10)) KiB," \
	"Image $(($(sz "$image") >> 10)) KiB"

# --- the QEMU run ------------------------------------------------------------
log=$PWD/serial.log
VM_MEM=${VM_MEM:-2048} vm_boot_arm64 "$log" "${KERNEL_ARM64_TIMEOUT:-900}" "$image" \
	initramfs.cpio "$base_cmdline pkarm.kernel=1"
echo "QEMU: ${VM_SECONDS}s (exit $VM_RC)"

bad=()
res=$(vm_results "$log")
grep '^PASS' <<<"$res" | sed 's/^/  /' || true
grep -q '^FAIL' <<<"$res" && bad+=("$(grep '^FAIL' <<<"$res" | tr '\n' ';')")
for p in lockdown dry-run-kernel-bpf unsigned-zboot tampered-zboot tampered-uki \
	untrusted-zboot pekexec-unsigned-exit-4 uki-load race-uki anchor-attach \
	anchor-inject-never-ran zboot-load kexec_loaded k2-uki-load \
	$([ "$ta_attach" != 0 ] || echo anchor-uki-load anchor-trampoline); do
	grep -qE "^PASS $p( |$)" <<<"$res" || bad+=("no PASS $p")
done
reports=$(tr -d '\r' <"$log" | sed -n 's/^PKVM REPORT //p')
nrep=0
for l in "${want[@]}"; do
	if grep -qxF "$l" <<<"$reports"; then
		nrep=$((nrep + 1))
	else
		bad+=("report ${l%% *}: '${l#* }' missing")
	fi
done
echo "  report lines matching sha256sum and pekexec extract: $nrep of ${#want[@]}"
got=$(vm_grep "$log" '^PKVM K2 cmdline=' | sed 's/^PKVM K2 cmdline=\[\(.*\)\]$/\1/') || true
[ "$got" = "$append2" ] || bad+=("second kernel's /proc/cmdline [$got], want [$append2]")
got=$(vm_grep "$log" '^PKVM K2 marker=' | sed 's/^PKVM K2 marker=//') || true
[ "$got" = "zboot-$token" ] || bad+=("second kernel's marker [$got], want [zboot-$token]")
got=$(vm_grep "$log" '^PKVM K2 lockdown=' | sed 's/^PKVM K2 lockdown=//') || true
[[ "$got" == *"[integrity]"* ]] || bad+=("second kernel's lockdown [$got], want [integrity]")
got=$(vm_grep "$log" '^PKVM SECOND cmdline=' | sed 's/^PKVM SECOND cmdline=\[\(.*\)\]$/\1/') || true
[ "$got" = "$append3" ] || bad+=("third kernel's /proc/cmdline [$got], want [$append3]")
got=$(vm_grep "$log" '^PKVM SECOND marker=' | sed 's/^PKVM SECOND marker=//') || true
[ "$got" = "uki-$token" ] || bad+=("third kernel's marker [$got], want [uki-$token]")
# the run path, from the function tracer (kernel 1): one run of the
# parser per stage (pekexec extract's manifest), through the series' run
# function; the anchor never called; no program attached to a trampoline
# but root's own
nst=$(jq '.stages | length' x-uki/manifest.json)
want_trace=("uki1 runs=$nst anchor=0 link=0")
if [ "$ta_attach" = 0 ]; then
	want_trace+=("uki-ta runs=$nst anchor=0 link=1")
else
	want_trace+=("uki-ta runs=0 anchor=0 link=1")
fi
traces=$(tr -d '\r' <"$log" | sed -n 's/^PKVM TRACE //p')
for l in "${want_trace[@]}"; do
	grep -qxF "$l" <<<"$traces" ||
		bad+=("trace: '$l' missing (got: $(tr '\n' ';' <<<"$traces"))")
done
echo "  run path (function tracer): $(tr '\n' ';' <<<"$traces")"
banners=$(tr -d '\r' <"$log" | grep -c 'Linux version' || true)
[ "$banners" -eq 3 ] || bad+=("$banners kernel banners in the log, want 3")
if [ ${#bad[@]} -ne 0 ]; then
	printf '  %s\n' "${bad[@]}"
	vm_log_tail "$log" 150
	[ -d "$BUILD/test-logs" ] &&
		cp "$log" "$BUILD/test-logs/$tname-serial.log"
	fail "${#bad[@]} problem(s)"
fi
echo "PASS: $kseries: zboot and UKI kexec'ed under lockdown=integrity; second kernel [$append2]," \
	"third [$append3]; $nrep report lines match; total $(($(date +%s) - t0))s"
