#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build-arm64-zboot.sh - a real, unpatched arm64 EFI zboot kernel (vmlinuz.efi)
# from Debian's linux-source-6.1, for tests/t-zboot-arm64.sh (docs/zboot-arm64.md).
#
#   tests/lib/build-arm64-zboot.sh [-b BUILD] COMP...    COMP: gzip | zstd | boot
#
# For each COMP prints one line "COMP OUTDIR"; OUTDIR holds
# arch/arm64/boot/vmlinuz.efi and arch/arm64/boot/Image.
#
# gzip, zstd: the smallest zboot kernel (tinyconfig + EFI_ZBOOT), not
# bootable (no console, no initramfs); t-zboot-arm64.sh only unpacks them.
# boot: gzip zboot + what a QEMU virt guest and kexec need (PL011 console,
# initramfs, devtmpfs, proc/sysfs, ELF and #! binaries, KEXEC_FILE, tmpfs
# for memfds, PSCI poweroff), for tests/t-e2e-arm64.sh: its Image is the
# first kernel (qemu -kernel), its vmlinuz.efi the kexec'ed one.
#
# 1. /usr/src/linux-source-6.1.tar.xz is extracted once into
#    BUILD/arm64-zboot/src (kept while the tarball is unchanged);
# 2. out of tree in BUILD/arm64-zboot/out-COMP: tinyconfig, then only what a
#    zboot image needs (EFI, EFI_STUB, EFI_ZBOOT, KERNEL_COMP) with
#    scripts/config + olddefconfig; the options are checked to have survived;
# 3. `make vmlinuz.efi` with ccache (shared, outside the clone: tests/lib/ccache-env.sh)
#    and -j$JOBS (default 2).
# An output is reused as is when its stamp (tarball identity, the recipe
# version below, compression, compiler version) matches.  Builders of one BUILD take turns
# (flock on BUILD/arm64-zboot/.lock). Wall and CPU time of every step
# are appended to BUILD/arm64-zboot/timings.log ("step wall user sys").
#
# Environment: LINUX_SOURCE_TARBALL, JOBS, NO_CCACHE=1 (plain gcc: for timing
# a cold build).
set -euo pipefail

build=build
while getopts b: opt; do
	case $opt in
	b) build=$OPTARG ;;
	*) echo "usage: $0 [-b BUILD] gzip|zstd..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-b BUILD] gzip|zstd..." >&2; exit 2; }

tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-2}
cross=aarch64-linux-gnu-
top=$(mkdir -p "$build/arm64-zboot" && cd "$build/arm64-zboot" && pwd)
src=$top/src
log=$top/timings.log

die() { echo "build-arm64-zboot: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball missing: scripts/deps.sh ensure kernel"
command -v ${cross}gcc >/dev/null || die "${cross}gcc missing: scripts/deps.sh ensure kernel"

# timed STEP CMD...: run CMD, append "STEP wall user sys" (seconds) to the log
timed() {
	local step=$1 t0 cpu="? ?" user sys rc=0
	shift
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$top/.time" "$@" || rc=$?
		cpu=$(tail -n1 "$top/.time")
	else
		"$@" || rc=$?
	fi
	read -r user sys <<<"$cpu"
	printf '%s %s wall=%.1f user=%s sys=%s\n' "$(date -u +%FT%TZ)" "$step" \
		"$(echo "$(date +%s.%N) - $t0" | bc)" "$user" "$sys" >>"$log"
	return $rc
}

# one builder per BUILD at a time (make check and make check-arm64 may meet)
exec 9>"$top/.lock"
flock 9

tar_id=$(stat -c '%s %Y' "$tarball")

# 1. the pristine tree, once
if [ ! -f "$src/.pekexec-stamp" ] || [ "$(cat "$src/.pekexec-stamp")" != "$tar_id" ]; then
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	timed extract tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	echo "$tar_id" >"$src.tmp/.pekexec-stamp"
	mv "$src.tmp" "$src"
fi

# Bump when the recipe below (options, make command) changes: the outputs'
# stamps then differ and they are rebuilt.
recipe=1
gcc_ver=$(${cross}gcc -dumpfullversion)

. "$(dirname "$0")/ccache-env.sh"
ccache_env "$top"
if [ "${NO_CCACHE:-0}" = 1 ]; then
	cc=${cross}gcc
else
	command -v ccache >/dev/null || die "ccache missing: scripts/deps.sh ensure kernel"
	cc="ccache ${cross}gcc"
fi

# set per output below (an array, so `timed` can run it under /usr/bin/time)
kmake=()

# The bootable recipe: options on top of tinyconfig + EFI_ZBOOT + gzip.
# Bump boot_recipe when this list changes (the boot output alone is rebuilt).
boot_recipe=1
boot_opts="PRINTK TTY SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE
BLK_DEV_INITRD DEVTMPFS PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT MULTIUSER
FUTEX POSIX_TIMERS SHMEM TMPFS KEXEC_FILE"

for comp in "$@"; do
	case $comp in
	gzip | boot) sym=KERNEL_GZIP ;;
	zstd) sym=KERNEL_ZSTD ;;
	*) die "unknown compression '$comp' (gzip, zstd, boot)" ;;
	esac
	out=$top/out-$comp
	stamp="recipe=$recipe $tar_id $gcc_ver $comp"
	extra=()
	if [ "$comp" = boot ]; then
		stamp="$stamp boot_recipe=$boot_recipe"
		for c in $boot_opts; do
			extra+=("CONFIG_$c")
		done
	fi
	if [ -f "$out/.pekexec-stamp" ] && [ "$(cat "$out/.pekexec-stamp")" = "$stamp" ] &&
	   [ -f "$out/arch/arm64/boot/vmlinuz.efi" ] && [ -f "$out/arch/arm64/boot/Image" ]; then
		echo "$comp $out"
		continue
	fi
	rm -rf "$out"
	mkdir -p "$out"
	kmake=(make -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE="$cross" CC="$cc"
		KBUILD_BUILD_TIMESTAMP=pekexec KBUILD_BUILD_USER=pekexec
		KBUILD_BUILD_HOST=pekexec)
	timed "$comp:tinyconfig" "${kmake[@]}" -s tinyconfig >&2
	# tinyconfig picks KERNEL_XZ; the compression is a choice, so clear
	# every member and set ours
	sc=("$src/scripts/config" --file "$out/.config")
	for c in KERNEL_GZIP KERNEL_BZIP2 KERNEL_LZMA KERNEL_XZ KERNEL_LZO \
		 KERNEL_LZ4 KERNEL_ZSTD; do
		"${sc[@]}" --disable $c
	done
	"${sc[@]}" --enable EFI --enable EFI_STUB --enable EFI_ZBOOT --enable $sym
	for c in "${extra[@]}"; do
		"${sc[@]}" --enable "$c"
	done
	timed "$comp:olddefconfig" "${kmake[@]}" -s olddefconfig >&2
	for c in CONFIG_64BIT CONFIG_EFI CONFIG_EFI_STUB CONFIG_EFI_ZBOOT CONFIG_$sym \
		 "${extra[@]}"; do
		grep -qx "$c=y" "$out/.config" || die "$c=y did not survive olddefconfig ($out/.config)"
	done
	timed "$comp:vmlinuz.efi" "${kmake[@]}" -s -j"$jobs" vmlinuz.efi >&2
	for f in vmlinuz.efi Image; do
		[ -s "$out/arch/arm64/boot/$f" ] || die "no arch/arm64/boot/$f in $out"
	done
	echo "$stamp" >"$out/.pekexec-stamp"
	echo "$comp $out"
done
