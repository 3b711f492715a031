#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh - end-to-end tests of the CONFIG_KEXEC_BPF series in QEMU (TCG).
#
#   tests/vm/run.sh            (make check-kernel)
#
# Boots build/kernel/x86_64/bzImage with an initramfs (busybox-static, the
# static loader pk-kexec-file, the test images) whose /init runs
# kexec_file_load() on each image and compares the outcome with what the
# host expects; the expected digests come from host tools (sha256sum of
# the bzImage, of the initrd as the kernel must pad it, of the command line).
# Then lockdown is raised to "integrity" and the signature and policy
# cases run; finally the signed image is kexec'ed, and the second kernel
# prints its /proc/cmdline and a marker from the image's own initrd.
# The real-* checks load images made by pekexec build-uki/build-zboot with
# the project's parser programs (bpf/uki.bpf.c, bpf/zboot.bpf.c, built by
# make, unchanged) and compare the kernel's debugfs digests with pekexec
# extract's manifest.json (executor byte identity).
# IMA (a policy measuring KEXEC_KERNEL_CHECK, KEXEC_INITRAMFS_CHECK and
# KEXEC_CMDLINE is written first): the measurement list must hold the
# sha256 of each image file as read (sha256sum of the file) and the command
# line finally used (the image's, or the user's), never one from before the
# program ran.  Under lockdown a signed load must not log a lockdown refusal.
#
# Prints "PASS: name" / "FAIL: name" per check and the serial log on
# failure.  Exit 0 if all passed, 77 if the kernel is not built.
# Environment: BUILD (default build), VM_TIMEOUT (seconds, default 900),
# KSERIES (6.1, default, or 6.12: the kernel in KERNEL_DIR, default
# build/kernel or build/kernel-6.12).  The differential against the
# kernel's verifier is Linux 6.1's (issue 13): it runs on 6.1 only.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
kseries=${KSERIES:-6.1}
case "$kseries" in
6.1) kdir=${KERNEL_DIR:-$top/build/kernel} ;;
6.12) kdir=${KERNEL_DIR:-$top/build/kernel-6.12} ;;
*) echo "run.sh: unknown KSERIES '$kseries'" >&2; exit 2 ;;
esac
diff61=
[ "$kseries" != 6.1 ] || diff61=1
# how each verifier words a refusal
if [ "$kseries" = 6.1 ]; then
	refused_sleepable="is sleepable but the program is not"
	refused_helper="unknown func"
else
	refused_sleepable="program must be sleepable to call sleepable kfunc"
	refused_helper="program of this type cannot use helper"
fi
kernel=$kdir/x86_64/bzImage
keys=$kdir/keys
work=$BUILD/kernel-vm
timeout_s=${VM_TIMEOUT:-900}
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

if [ ! -e "$kernel" ] || [ ! -e "$keys/test.key" ]; then
	echo "SKIP: no patched kernel: run 'make kernel ARCH=x86_64' first"
	exit 77
fi
for tool in qemu-system-x86_64 busybox sbsign objcopy clang cpio gzip xz \
	zstd bzip2 lzop lz4 jq; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: $tool missing: scripts/deps.sh ensure qemu kernel test"
		exit 77
	}
done

rm -rf "$work/img" "$work/root" "$work/second"
mkdir -p "$work/img" "$work/root" "$work/second"
t0=$(date +%s)

# the parser program and its light skeleton (.bpf section content), the
# loader; the images (tests/vm/images.sh, shared with the soak)
. "$top/tests/vm/images.sh"
vm_tools "$top" "$BUILD" "$work"
bpf=$work/parser.lskel.o
vm_guest_tools "$top" "$kdir/src" "$work"
# the differential against 6.1's verifier and JIT (issue 13): random
# programs written by test-bpf-diff, loaded and run in the guest by
# pk-bpf-diff61, compared with the sandbox after the boot
gcc -static -O2 -Wall -Wextra -Werror -o "$work/pk-bpf-diff61" \
	"$top/tests/vm/pk-bpf-diff61.c" -lbpf -lelf -lz -lzstd
make -s -C "$top" BUILD="$BUILD" "$BUILD/tests/test-bpf-diff"
PK_DIFF61_PROGS=${PK_DIFF61_PROGS:-2000} \
	"$BUILD/tests/test-bpf-diff" --write-61 "$work/diff61.progs"
[ -n "$diff61" ] || echo "Linux $kseries: no differential (it is 6.1's)"

mkcpio() { # dir out
	(cd "$1" && find . | sort | cpio -o -H newc --quiet) >"$2"
}
add_busybox() { # root
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp "$(command -v busybox)" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
}

# the second kernel's initrd: a marker and its command line, then off
add_busybox "$work/second"
cat >"$work/second/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
echo "PKTEST SECOND cmdline=[$(/bin/busybox cat /proc/cmdline)]"
echo "PKTEST SECOND marker=initrd-of-the-image"
/bin/busybox poweroff -f
EOF
chmod +x "$work/second/init"
mkcpio "$work/second" "$work/second.cpio"

img=$work/img
printf 'console=ttyS0 panic=-1 pktest.second=1' >"$img/cmdline"
cp "$work/second.cpio" "$img/initrd"
# a second initrd from "user space"
mkdir -p "$work/user/etc"
echo user >"$work/user/etc/user-initrd"
mkcpio "$work/user" "$work/user.cpio"

vm_images "$top" "$img" "$kernel" "$bpf" "$keys" "$stub"
mk() { "$top/tests/vm/mkimage.sh" -s "$stub" "$@"; }
# fast levels: the input (a bzImage) is compressed already
declare -A comp=([gzip]="gzip -1 -c" [xz]="xz --check=crc32 -0 -c"
	[zstd]="zstd -3 -q -c" [bzip2]="bzip2 -1 -c"
	[lzma]="xz --format=lzma -0 -c" [lzo]="lzop -1 -c" [lz4]="lz4 -l -1 -c")
for c in "${!comp[@]}"; do
	${comp[$c]} <"$kernel" >"$img/linux.$c"
	mk "$img/$c.efi" .cmdline="$img/cmdline" .linux="$img/linux.$c" \
		.bpf="$bpf"
done
rm -f "$img"/linux.*

# what the kernel must report: host oracles
sha() { sha256sum "$1" | cut -d' ' -f1; }
sz() { stat -c %s "$1"; }

# The project's own tools and parser programs (bpf/uki.bpf.c,
# bpf/zboot.bpf.c): the kernel must produce byte for byte what the
# user-space executor (pekexec extract) writes on the host.
make -s -C "$top" BUILD="$BUILD" "$BUILD/pekexec"
pk=$BUILD/pekexec
real=$work/real
rm -rf "$real"
mkdir -p "$real"
# the built-in parsers (the default of build-uki/build-zboot), unchanged;
# each image's .bpf must be the light skeleton make built (mk/parsers.mk)
make -s -C "$top" BUILD="$BUILD" "$BUILD/bpf/uki.bpf" "$BUILD/bpf/zboot.bpf"
printf 'ucode-of-11' >"$real/ucode"	# odd size: padding between pieces
vm_real_images "$img" "$kernel" "$keys" "$stub" "$pk" "$real/ucode"
for f in real-uki:uki real-nested:uki real-zboot-gzip:zboot \
	real-zboot-zstd22:zboot real-zboot-xzkern:zboot real-zboot-lz4:zboot; do
	objcopy -O binary --only-section=.bpf "$img/${f%%:*}.efi" "$real/${f%%:*}.bpf"
	cmp -s "$real/${f%%:*}.bpf" "$BUILD/bpf/${f#*:}.bpf" || {
		echo "FAIL: .bpf of ${f%%:*}.efi is not $BUILD/bpf/${f#*:}.bpf"
		exit 1
	}
done
# A zboot whose size after the zstd stream disagrees with the stream: the
# program gives up with parser_abort() (command 0, EBADMSG as subcommand,
# bpf/parser.h); pekexec extract refuses it, the kernel must too.
bad=$img/real-zboot-badsize.efi
if "$pk" extract --verify off -o "$real/badsize" "$bad" 2>"$real/badsize.err" ||
	! grep -q 'gave up.*(command 0/74)' "$real/badsize.err"; then
	echo "FAIL: pekexec extract of real-zboot-badsize.efi did not give up:"
	cat "$real/badsize.err"
	exit 1
fi
# ident name image [pekexec extract options]: checks from its manifest
ident() {
	local name=$1 image=$2 out=$real/$1 k i n
	shift 2
	"$pk" extract --verify off "$@" -o "$out" "$img/$image" >/dev/null
	for k in kernel initrd cmdline; do
		echo "r $name-$k 'loaded $k sha256=$(jq -r ".outputs.$k.sha256" \
			"$out/manifest.json") size=$(jq -r ".outputs.$k.size" \
			"$out/manifest.json")'"
	done
	n=$(jq '.stages | length' "$out/manifest.json")
	for ((i = 0; i < n; i++)); do
		echo "r $name-stage$((i + 1))-kernel 'stage$((i + 1)) kernel sha256=$(jq -r \
			".stages[$i].kernel_out.sha256" "$out/manifest.json") size=$(jq -r \
			".stages[$i].kernel_out.size" "$out/manifest.json")'"
	done
}
pad4() { # file out: as COPY/INITRD pads it
	cp "$1" "$2"
	truncate -s $((($(sz "$1") + 3) / 4 * 4)) "$2"
}
# COPY/INITRD pieces start 4-aligned, the last is not padded; without an
# empty COPY/INITRD (marker) every image piece follows the user's initrd
pad4 "$work/user.cpio" "$work/user.padded"
cat "$work/user.padded" "$img/initrd" >"$work/initrd.both"
printf 'console=ttyS0 panic=-1 pktest.user=1' >"$work/user.cmdline"
rep() { echo "$1 sha256=$(sha "$2") size=$(sz "$2")"; }
printf 'pktest.p' >"$work/probe8"	# 8 bytes of the user's command line
# what IMA's list says of a file read by kexec_file_load() (template ima-ng)
# and of a command line it measured (ima-buf: digest, name, hex of the bytes)
imafile() { echo " ima-ng sha256:$(sha "$1") $2"; }
imacmdline() {
	echo " ima-buf sha256:$(sha "$1") kexec-cmdline $(od -An -v -tx1 "$1" |
		tr -d ' \n')"
}
K=$(rep "loaded kernel" "$kernel")
cp "$work/user.cpio" "$work/root/user.cpio"

{
	[ -z "$diff61" ] || echo "bpfdiff"
	echo "ima_policy"
	echo "t unsigned 0 /img/unsigned.efi"
	echo "m unsigned-ima-image '$(imafile "$img/unsigned.efi" /img/unsigned.efi)'"
	echo "m unsigned-ima-cmdline '$(imacmdline "$img/cmdline")'"
	echo "r unsigned-kernel '$K'"
	echo "r unsigned-initrd '$(rep "loaded initrd" "$img/initrd")'"
	echo "r unsigned-cmdline '$(rep "loaded cmdline" "$img/cmdline")'"
	echo "r unsigned-stage1 '$(rep "stage1 kernel" "$kernel")'"
	for c in gzip xz zstd bzip2 lzma lzo lz4; do
		echo "t decompress-$c 0 /img/$c.efi"
		echo "r decompress-$c-kernel '$K'"
	done
	echo "t corrupt-gzip EBADMSG /img/corrupt-gzip.efi"
	echo "t truncated-zstd EBADMSG /img/truncated-zstd.efi"
	echo "t no-progress ENOEXEC /img/noprogress.efi"
	echo "t bad-command EINVAL /img/badcmd.efi"
	echo "t nested-2 0 /img/nest2.efi"
	echo "r nested-2-stage2 '$(rep "stage2 kernel" "$kernel")'"
	echo "t nested-5 ELOOP /img/nest5.efi"
	# a fatal signal ends a long decompression (issue 11, hole 7)
	echo "k killed-decompression /img/xz-slow.efi"
	echo "t user-cmdline-wins 0 /img/unsigned.efi - '$(cat "$work/user.cmdline")'"
	echo "r user-cmdline-wins-report '$(rep "loaded cmdline" "$work/user.cmdline")'"
	echo "m user-cmdline-wins-ima '$(imacmdline "$work/user.cmdline")'"
	echo "t user-initrd-first 0 /img/unsigned.efi /user.cpio"
	echo "r user-initrd-first-report '$(rep "loaded initrd" "$work/initrd.both")'"
	echo "m user-initrd-first-ima '$(imafile "$work/user.cpio" /user.cpio)'"
	# the program may read the user's command line (issue 11, hole 6)
	echo "t probe-user-cmdline 0 /img/probe-cmdline.efi - 'pktest.probe=1'"
	echo "r probe-user-cmdline-read '$(rep "loaded initrd" "$work/probe8")'"
	echo "t real-uki 0 /img/real-uki.efi"
	ident real-uki real-uki.efi
	echo "t real-uki-user-initrd 0 /img/real-uki.efi /user.cpio"
	ident real-uki-user-initrd real-uki.efi --initrd "$work/user.cpio"
	echo "t real-uki-user-cmdline 0 /img/real-uki.efi - '$(cat "$work/user.cmdline")'"
	ident real-uki-user-cmdline real-uki.efi \
		--command-line "$(cat "$work/user.cmdline")"
	for c in gzip zstd22 xzkern lz4; do
		echo "t real-zboot-$c 0 /img/real-zboot-$c.efi"
		ident real-zboot-$c real-zboot-$c.efi
	done
	echo "t real-zboot-badsize EINVAL /img/real-zboot-badsize.efi"
	echo "d real-zboot-badsize-abort 'kexec_bpf: unknown command 0/74'"
	echo "t real-nested 0 /img/real-nested.efi"
	ident real-nested real-nested.efi
	echo "lockdown"
	echo "t lockdown-real-nested 0 /img/real-nested.efi"
	echo "n lockdown-real-nested-quiet 'is restricted'"
	ident lockdown-real-nested real-nested.efi
	echo "t lockdown-unsigned EPERM /img/unsigned.efi"
	echo "t lockdown-tampered EPERM /img/tampered.efi"
	echo "t lockdown-untrusted EPERM /img/untrusted.efi"
	echo "t lockdown-user-cmdline EPERM /img/signed.efi - 'console=ttyS0 evil=1'"
	echo "t lockdown-user-cmdline-more EPERM /img/signed.efi - '$(cat "$img/cmdline") x'"
	echo "t lockdown-user-initrd EPERM /img/signed.efi /user.cpio"
	# issue 11: root's sleepable program on the anchor asks for the
	# parser context and appends to the command line (hole 1: the
	# anchor is never called, so it must not even run); a
	# program in atomic context calls the kfuncs (hole 4); the signed
	# program reads the kernel stack (hole 6); a stream declares 1 GiB
	# (hole 7)
	echo "ta /vm_attack_inject.bpf.o lockdown-inject-cmdline 0 /img/signed.efi"
	echo "w lockdown-inject-cmdline-never-ran 'pk-bpf-check: results: 0 0 0'"
	echo "r lockdown-inject-cmdline-report '$(rep "loaded cmdline" "$img/cmdline")'"
	echo "e lockdown-kfunc-atomic /vm_attack_atomic.bpf.o '$refused_sleepable'"
	echo "e lockdown-helper-unbounded /vm_attack_helper.bpf.o '$refused_helper bpf_probe_read_kernel_str'"
	echo "e lockdown-helper-frame /vm_attack_frame.bpf.o '$refused_helper bpf_get_func_arg'"
	echo "t lockdown-probe-outside EINVAL /img/probe-stack.efi"
	echo "d lockdown-probe-outside-refused 'kexec_bpf: unknown command 0/14'"
	# root reaches for the light skeleton's maps and programs while
	# a signed image loads: by fd, id and pidfd_getfd() (hole 2)
	echo "race lockdown-race-real-nested /img/real-nested.efi"
	ident lockdown-race-real-nested real-nested.efi
	# tools/testing/selftests/kexec/kexec_bpf of the series
	echo "ks kselftest-kexec-bpf /img/signed.efi"
	echo "t lockdown-declared-1g EFBIG /img/zstd-1g.efi"
	echo "d lockdown-declared-1g-early 'zstd stream declares 1073741824 bytes'"
	echo "t lockdown-signed 0 /img/signed.efi"
	echo "r lockdown-signed-kernel '$K'"
	echo "r lockdown-signed-cmdline '$(rep "loaded cmdline" "$img/cmdline")'"
	# issue 12: the image's own command line, white space aside, is
	# not an override; this load is the one kexec'ed below
	echo "t lockdown-user-cmdline-same 0 /img/signed.efi - \"\$(printf '  console=ttyS0 \\t panic=-1\\n\\npktest.second=1 \\r\\n')\""
	echo "r lockdown-user-cmdline-same-report '$(rep "loaded cmdline" "$img/cmdline")'"
	echo "exec"
} >"$work/root/tests"
nchecks=$(grep -cE '^(ta|race|ks|[trdmnwek]) ' "$work/root/tests")

add_busybox "$work/root"
cp "$work/pk-kexec-file" "$work/pk-bpf-check" "$work/pk-bpf-diff61" \
	"$work/pk-race" "$work/kexec_bpf_selftest" "$work/root/bin/"
cp "$work/diff61.progs" "$work/root/"
cp "$work/vm_pe_parser.bpf.o" "$work/vm_attack_inject.bpf.o" \
	"$work/vm_attack_atomic.bpf.o" "$work/vm_attack_helper.bpf.o" \
	"$work/vm_attack_frame.bpf.o" \
	"$work/root/"
cp -r "$img" "$work/root/img"
cat >"$work/root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security
report=/sys/kernel/debug/kexec_bpf
ima=/sys/kernel/security/ima
diagnosed=
wrap=
t() { # name expected-errno image [initrd|-] [cmdline]
	name=$1 want=$2
	shift 2
	start=$(date +%s)
	dmesg -c >/dev/null
	got=$(timeout 300 $wrap pk-kexec-file load "$@" 2>/tmp/wrap.log)
	got=${got#errno=}
	dmesg >/tmp/load.log
	if [ "$got" = "$want" ]; then
		echo "PKTEST PASS $name (errno=$got, $(($(date +%s) - start))s)"
	else
		echo "PKTEST FAIL $name: expected errno=$want, got '$got'"
		cat /tmp/wrap.log
		tail -n 15 /tmp/load.log
		if [ -z "$diagnosed" ]; then
			diagnosed=1
			echo "PKTEST diagnostics: the parser program loaded by libbpf:"
			pk-bpf-check /vm_pe_parser.bpf.o 2>&1 | tail -n 60
		fi
	fi
	[ "$want" = 0 ] || return 0
	[ "$1" = /img/signed.efi ] || pk-kexec-file unload >/dev/null
}
ta() { # object name expected-errno image...: t while OBJECT's programs
	# are attached (pk-bpf-check OBJECT pk-kexec-file load ...)
	wrap="pk-bpf-check $1"
	shift
	t "$@"
	wrap=
}
w() { # name text-expected-in-the-output-of-pk-bpf-check-of-the-last-ta
	if grep -qF "$2" /tmp/wrap.log; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: '$2' not in the output of pk-bpf-check:"
		cat /tmp/wrap.log
	fi
}
e() { # name object text: loading OBJECT must fail with TEXT in the log
	if pk-bpf-check "$2" >/tmp/e.log 2>&1; then
		echo "PKTEST FAIL $1: $2 loaded and attached"
	elif grep -qF "$3" /tmp/e.log; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: '$3' not in the log of pk-bpf-check $2:"
		tail -n 20 /tmp/e.log
	fi
}
race() { # name image: pk-race IMAGE must load it and reach nothing
	out=$(timeout 300 pk-race "$2" 2>&1)
	dmesg >/tmp/load.log
	if echo "$out" | grep -qx 'errno=0' &&
		echo "$out" | grep -qx 'race: fds-seen=0 fds-written=0 ids-seen=0 ids-written=0 progs-seen=0 getfd-seen=0 getfd-written=0'; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: the load was reached or failed:"
		echo "$out"
		tail -n 5 /tmp/load.log
	fi
	pk-kexec-file unload >/dev/null
}
ks() { # name image: the kselftest with KEXEC_BPF_IMAGE=IMAGE: 3 passed
	out=$(KEXEC_BPF_IMAGE=$2 timeout 300 kexec_bpf_selftest 2>&1)
	if echo "$out" | grep -q '^# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0'; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1:"
		echo "$out" | tail -n 20
	fi
}
k() { # name image: SIGKILL a load of IMAGE after 3 s (while it
	# decompresses); the load must end at once, with -EINTR
	dmesg -c >/dev/null
	pk-kexec-file load "$2" >/dev/null &
	pid=$!
	sleep 3
	start=$(date +%s)
	kill -9 $pid
	wait $pid
	took=$(($(date +%s) - start))
	dmesg >/tmp/load.log
	if grep -qF 'failed (-4)' /tmp/load.log && [ "$took" -le 2 ]; then
		echo "PKTEST PASS $1 (ended ${took}s after SIGKILL)"
	else
		echo "PKTEST FAIL $1: ended ${took}s after SIGKILL, the log:"
		tail -n 5 /tmp/load.log
	fi
}
r() { # name line-expected-in-the-report
	if grep -qxF "$2" $report; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: '$2' not in the report:"
		cat $report
	fi
}
d() { # name text-expected-in-the-kernel-log-of-the-last-load
	if grep -qF "$2" /tmp/load.log; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: '$2' not in the kernel log:"
		cat /tmp/load.log
	fi
}
n() { # name text-not-expected-in-the-kernel-log-of-the-last-load
	if grep -qF "$2" /tmp/load.log; then
		echo "PKTEST FAIL $1: '$2' in the kernel log:"
		cat /tmp/load.log
	else
		echo "PKTEST PASS $1"
	fi
}
m() { # name text-expected-in-a-line-of-the-IMA-measurement-list
	if grep -qF "$2" $ima/ascii_runtime_measurements; then
		echo "PKTEST PASS $1"
	else
		echo "PKTEST FAIL $1: '$2' not measured:"
		tail -n 8 $ima/ascii_runtime_measurements
	fi
}
ima_policy() {
	printf '%s\n' 'measure func=KEXEC_KERNEL_CHECK' \
		'measure func=KEXEC_INITRAMFS_CHECK' \
		'measure func=KEXEC_CMDLINE' >$ima/policy ||
		echo "PKTEST IMA policy not accepted"
}
lockdown() {
	echo integrity >/sys/kernel/security/lockdown
	echo "PKTEST lockdown: $(cat /sys/kernel/security/lockdown)"
}
bpfdiff() {
	echo "PKTEST bpf-diff-6.1 start"
	pk-bpf-diff61 /diff61.progs
}
exec_it() {
	echo "PKTEST EXEC"
	pk-kexec-file exec
	echo "PKTEST FAIL exec: kexec returned"
	poweroff -f
}
echo "PKTEST START $(uname -r)"
while read -r line; do
	case "$line" in
	exec) exec_it ;;
	*) eval "$line" ;;
	esac
done </tests
poweroff -f
EOF
chmod +x "$work/root/init"
mkcpio "$work/root" "$work/initramfs.cpio"
t1=$(date +%s)
echo "images and initramfs: $((t1 - t0))s ($(du -sh "$work/initramfs.cpio" | cut -f1))"

log=$work/serial.log
rc=0
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -m 2048 -smp 1 \
	-display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 rdinit=/init loglevel=4" || rc=$?
t2=$(date +%s)
echo "boot, tests and kexec in QEMU: $((t2 - t1))s (qemu exit $rc)"

fail=0
pass=$(grep -c '^PKTEST PASS' "$log" || true)
grep '^PKTEST PASS' "$log" | sed 's/^PKTEST PASS /PASS: /'
if grep -q '^PKTEST FAIL' "$log"; then
	grep -A20 '^PKTEST FAIL' "$log" | sed 's/^/    /'
	grep '^PKTEST FAIL' "$log" | sed 's/^PKTEST FAIL /FAIL: /'
	fail=1
fi
if [ "$pass" -ne "$nchecks" ]; then
	echo "FAIL: $pass of $nchecks checks passed in the first kernel"
	fail=1
fi
if [ -n "$diff61" ]; then
	# the guest's answers against the sandbox; then the same comparison must
	# fail on a copy of the log with one verdict and one result byte changed
	if "$BUILD/tests/test-bpf-diff" --compare-61 "$work/diff61.progs" "$log" \
		>"$work/diff61.out"; then
		echo "PASS: bpf-diff-6.1 ($(grep '^Linux 6.1 differential' "$work/diff61.out"))"
		grep '^host kernel defect' "$work/diff61.out" || true
	else
		echo "FAIL: bpf-diff-6.1: the sandbox disagrees with Linux 6.1:"
		head -n 60 "$work/diff61.out" | sed 's/^/    /'
		fail=1
	fi
	# records from 30 on are random programs (26 verdict probes, 4 defects)
	doctor() { # awk-action: applied to the first accepted random program,
		# compared up to that record
		awk -v d=0 -v f="$work/diff61.idx" '
			!d && $1 == "PKD61" && $2 >= 30 && $3 == "ok" {
				n = $2; '"$1"'; d = 1
			}
			{ print }
			END { print n + 1 >f }' "$log" >"$work/diff61.doctored"
		! PK_DIFF61_RECORDS=$(cat "$work/diff61.idx") "$BUILD/tests/test-bpf-diff" \
			--compare-61 "$work/diff61.progs" "$work/diff61.doctored" \
			>"$work/diff61.doctored.out"
	}
	if doctor '$0 = "PKD61 " $2 " rej 22 doctored"' &&
		grep -q '6.1 rejects (doctored), sandbox accepts' "$work/diff61.doctored.out" &&
		doctor 'c = substr($5, 201, 1); $5 = substr($5, 1, 200) (c == "0" ? "1" : "0") substr($5, 202)' &&
		grep -q 'results differ' "$work/diff61.doctored.out"; then
		echo "PASS: bpf-diff-6.1-can-fail (a flipped verdict and a changed context byte are caught)"
	else
		echo "FAIL: bpf-diff-6.1-can-fail: the comparison missed a doctored answer:"
		sed 's/^/    /' "$work/diff61.doctored.out" | head -n 20
		fail=1
	fi
fi
want="PKTEST SECOND cmdline=[$(cat "$img/cmdline")]"
if grep -qF "$want" "$log" &&
	grep -q '^PKTEST SECOND marker=initrd-of-the-image' "$log"; then
	echo "PASS: kexec-second-kernel (command line and initrd of the signed image)"
else
	echo "FAIL: kexec-second-kernel: '$want' and the marker not on the serial console"
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	echo "---- serial log ($log) ----"
	cat "$log"
	echo "---- failed ----"
	grep '^PKTEST FAIL' "$log" | sed 's/^PKTEST FAIL /FAIL: /'
	exit 1
fi
if [ -n "$diff61" ]; then
	echo "all $((nchecks + 3)) kernel checks passed (with bpf-diff-6.1 and bpf-diff-6.1-can-fail)"
else
	echo "all $((nchecks + 1)) kernel checks passed on Linux $kseries"
fi
