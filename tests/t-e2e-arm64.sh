#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-e2e-arm64.sh - pekexec load/exec on arm64 in qemu-system-aarch64 (TCG,
# -M virt), with a real EFI zboot kernel (docs/e2e-arm64.md).
#
# tests/lib/build-arm64-zboot.sh boot builds (or reuses) one kernel from
# Debian's linux-source-6.1: tinyconfig + EFI_ZBOOT (gzip) + what booting
# and kexec need.  Its arch/arm64/boot/Image is the first kernel (qemu
# -kernel); what is kexec'ed, one QEMU run per case:
#
#   zboot-efi    the build's own vmlinuz.efi, add-bpf'd and signed
#   uki          a signed UKI (pekexec build-uki) whose .linux is that
#                add-bpf'd vmlinuz.efi: two stages, its .initrd and .cmdline
#   build-gzip   pekexec build-zboot --compress gzip of the Image, signed
#   build-zstd22 pekexec build-zboot --compress zstd22 of the Image, signed
#
# The first kernel's /init (tests/e2e/arm64-first-init.sh, in an initramfs
# with Debian's busybox-static:arm64 and the static cross-built
# $BUILD/arm64/pekexec, mk/cross.mk) runs `pekexec load --verify require
# --dry-run`, `pekexec load --verify require` and `pekexec exec`.  The
# second kernel's /init (tests/e2e/arm64-second-init.sh) prints the marker
# the host wrote into its initrd and /proc/cmdline.
#
# Oracles, per case, from the serial log: the second kernel's /proc/cmdline
# is the UKI's .cmdline (uki) or the --append the host chose; its initrd's
# marker is the random one the host put into that case's initrd; the log
# has two kernel banners; the kernel the guest's dry run reports has the
# sha256 the host computes with sha256sum (the Image, or for build-zboot
# the Image zero-padded with truncate to its header's image_size).
#
# E2E_ARM64_CASES picks cases (default: all four); E2E_TIMEOUT (s, per
# boot; default 600).  PEKEXEC_ARM64_BUILD=0: never build the kernel, skip
# unless it is already built.  The serial log of a failed case is printed.
set -euo pipefail
. "$TOP/tests/lib/vm-lib.sh"
. "$TOP/tests/lib/build.sh"
vm_require_qemu aarch64
need openssl bc sha256sum od truncate readelf dpkg-deb apt-get
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
[ -r "$tarball" ] || skip "no linux-source-6.1 tarball: scripts/deps.sh ensure kernel"
need aarch64-linux-gnu-gcc aarch64-linux-gnu-strip ccache make bison flex

pk=${PEKEXEC_FAST:-$BUILD/pekexec}
[ -x "$pk" ] || fail "$pk not built"
pka64=$BUILD/arm64/pekexec
# make check has built it (mk/cross.mk); a lone run builds or refreshes it
make -C "$TOP" --no-print-directory BUILD="$BUILD" "$pka64" >cross.log 2>&1 ||
	{ tail -n 20 cross.log >&2; fail "cannot build $pka64 (scripts/deps.sh ensure arm64)"; }
readelf -h "$pka64" | grep -q 'Machine:.*AArch64' || fail "$pka64 is not an AArch64 binary"
timeout_s=${E2E_TIMEOUT:-600}
cases=${E2E_ARM64_CASES:-zboot-efi uki build-gzip build-zstd22}
work=$PWD

# --- the kernel ------------------------------------------------------------
if [ "${PEKEXEC_ARM64_BUILD:-1}" = 0 ] &&
   [ ! -f "$BUILD/arm64-zboot/out-boot/.pekexec-stamp" ]; then
	skip "PEKEXEC_ARM64_BUILD=0 and no bootable arm64 kernel under $BUILD/arm64-zboot"
fi
t0=$(date +%s)
kdir=$("$TOP/tests/lib/build-arm64-zboot.sh" -b "$BUILD" boot 2>kbuild.log | awk '$1 == "boot" {print $2}') ||
	true
[ -n "$kdir" ] || { tail -n 30 kbuild.log >&2; fail "arm64 kernel build failed"; }
echo "kernel: $kdir ($(($(date +%s) - t0)) s, built or reused)"
image=$kdir/arch/arm64/boot/Image
zefi=$kdir/arch/arm64/boot/vmlinuz.efi
[ "$(slice "$zefi" 4 4)" = zimg ] || fail "$zefi is not a zboot image"
[ "$(slice "$zefi" 24 4)" = gzip ] || fail "$zefi is not gzip zboot"

# --- busybox and the initrds of the second kernel --------------------------
bb=$(vm_busybox_arm64) || skip "no arm64 busybox (scripts/deps.sh ensure arm64)"
bbkey=busybox-arm64-$(sha256sum "$bb" | cut -c1-12)
vm_cached_cpio "$bbkey" base.cpio vm_root_foreign "$bb"

token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
# second_cpio CASE: base + the second /init + /marker "CASE-TOKEN"
second_cpio() {
	rm -rf "s-$1" && mkdir -p "s-$1"
	cp "$TOP/tests/e2e/arm64-second-init.sh" "s-$1/init"
	echo "$1-$token" >"s-$1/marker"
	vm_cpio "s-$1" "s-$1.cpio"
	cat base.cpio "s-$1.cpio" >"second-$1.cpio"
}

# --- the images, signed by a throw-away key ---------------------------------
openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=pekexec e2e arm64/" -days 2 \
	-keyout e2e.key -out e2e.crt 2>/dev/null
mkdir -p root/img/cases
sha() { sha256sum "$1" | cut -d' ' -f1; }
memsz=$(od -An -tu8 -j16 -N8 "$image" | tr -d ' ')
cp "$image" padded
truncate -s "$memsz" padded
declare -A WANT_SHA WANT_CMDLINE
base_cmdline="console=ttyAMA0 panic=-1 loglevel=6"

"$pk" add-bpf "$zefi" vmlinuz-bpf.efi
for c in $cases; do
	want_cmdline="$base_cmdline pke2e.second=$c"
	second_cpio "$c"
	case $c in
	zboot-efi)
		"$pk" sign --key e2e.key --cert e2e.crt vmlinuz-bpf.efi "root/img/$c.efi"
		WANT_SHA[$c]=$(sha "$image")
		;;
	uki)
		"$pk" build-uki --linux vmlinuz-bpf.efi --initrd "second-$c.cpio" \
			--cmdline "$want_cmdline" --uname "" --key e2e.key --cert e2e.crt -o "root/img/$c.efi"
		WANT_SHA[$c]=$(sha "$image")
		;;
	build-gzip | build-zstd22)
		"$pk" build-zboot --image "$image" --compress "${c#build-}" \
			--key e2e.key --cert e2e.crt -o "root/img/$c.efi"
		WANT_SHA[$c]=$(sha padded)
		;;
	*) fail "unknown case '$c'" ;;
	esac
	"$pk" verify --trust e2e.crt "root/img/$c.efi" >/dev/null || fail "$c: the host's own verify fails"
	WANT_CMDLINE[$c]=$want_cmdline
	{
		echo "IMAGE=$c.efi"
		if [ "$c" != uki ]; then
			cp "second-$c.cpio" root/img/
			echo "INITRD=second-$c.cpio"
			echo "APPEND='$want_cmdline'"
		fi
	} >"root/img/cases/$c"
done

# --- the first kernel's initramfs ------------------------------------------
mkdir -p root/bin
aarch64-linux-gnu-strip -o root/bin/pekexec "$pka64"
ln -sf pekexec root/bin/kexec
cp "$TOP/tests/e2e/arm64-first-init.sh" root/init
cp e2e.crt root/img/
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
echo "initramfs: $(($(stat -c %s initramfs.cpio) / 1024)) KiB; images:" \
	"$(cd root/img && for f in *.efi; do printf '%s %s KiB, ' "$f" $(($(stat -c %s "$f") / 1024)); done)"

# --- one boot per case -------------------------------------------------------
failed=()
for c in $cases; do
	log=$work/serial-$c.log
	vm_boot_arm64 "$log" "$timeout_s" "$image" initramfs.cpio "$base_cmdline pke2e.case=$c"
	bad=()
	res=$(vm_results "$log")
	for r in dry-run load kexec_loaded; do
		grep -qx "PASS $r" <<<"$res" || bad+=("no PASS $r in the first kernel")
	done
	if grep -q '^FAIL' <<<"$res"; then
		bad+=("$(grep '^FAIL' <<<"$res" | tr '\n' ';')")
	fi
	# the dry run's "kernel N bytes sha256 X" and "initrd N bytes sha256 X"
	got_sha=$(tr -d '\r' <"$log" | sed -n 's/^  | kernel .* sha256 \([0-9a-f]\{64\}\).*/\1/p' | head -n1)
	[ "$got_sha" = "${WANT_SHA[$c]}" ] ||
		bad+=("dry run's kernel sha256 [$got_sha], sha256sum says ${WANT_SHA[$c]}")
	got_isha=$(tr -d '\r' <"$log" | sed -n 's/^  | initrd .* sha256 \([0-9a-f]\{64\}\).*/\1/p' | head -n1)
	[ "$got_isha" = "$(sha "second-$c.cpio")" ] ||
		bad+=("dry run's initrd sha256 [$got_isha], sha256sum of second-$c.cpio says $(sha "second-$c.cpio")")
	got_cmdline=$(vm_grep "$log" '^PKVM SECOND cmdline=' |
		sed 's/^PKVM SECOND cmdline=\[\(.*\)\]$/\1/') || true
	[ "$got_cmdline" = "${WANT_CMDLINE[$c]}" ] ||
		bad+=("second kernel's /proc/cmdline [$got_cmdline], want [${WANT_CMDLINE[$c]}]")
	got_marker=$(vm_grep "$log" '^PKVM SECOND marker=' | sed 's/^PKVM SECOND marker=//') || true
	[ "$got_marker" = "$c-$token" ] ||
		bad+=("second kernel's initrd marker [$got_marker], want [$c-$token]")
	banners=$(tr -d '\r' <"$log" | grep -c 'Linux version' || true)
	[ "$banners" -eq 2 ] || bad+=("$banners kernel banners in the log, want 2")
	t_exec=$(vm_grep "$log" '^PKVM EXEC' | sed 's/.*uptime=\([0-9.]*\).*/\1/') || true
	t_load=$(vm_grep "$log" '^PKVM EXEC' | sed 's/.*load_started=\([0-9.]*\).*/\1/') || true
	if [ ${#bad[@]} -eq 0 ]; then
		echo "PASS $c: kexec'ed, second kernel cmdline [$got_cmdline], marker ok," \
			"kernel sha256 ${got_sha:0:16}...; boot ${VM_SECONDS} s" \
			"(load done at guest uptime ${t_exec} s, load took" \
			"$(echo "$t_exec - $t_load" | bc) s)"
	else
		echo "FAIL $c (qemu exit $VM_RC, ${VM_SECONDS} s):"
		printf '    %s\n' "${bad[@]}"
		vm_log_tail "$log" 120
		# run-tests.sh removes this directory: keep the whole log
		[ -d "$BUILD/test-logs" ] && cp "$log" "$BUILD/test-logs/t-e2e-arm64-serial-$c.log"
		failed+=("$c")
	fi
done
[ ${#failed[@]} -eq 0 ] || fail "cases failed: ${failed[*]}"
