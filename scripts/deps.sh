#!/bin/sh
# SPDX-License-Identifier: MIT
#
# deps.sh - the one list of Debian packages pekexec needs, and their installer.
#
#   scripts/deps.sh ensure GROUP...   install what is missing (root), or print
#                                     the exact apt-get line and fail (non-root)
#   scripts/deps.sh require GROUP...  never install: print the exact apt-get
#                                     line and fail if one is missing (plain
#                                     `make`, the Debian package build)
#   scripts/deps.sh list GROUP...     print the packages of GROUPs
#
# Groups:
#   build   compile the library, the tool and the BPF programs
#   fuzz    the libFuzzer runtime for the fuzz targets
#   test    independent oracles and data for the tests (signers, compressors,
#           systemd's UKI stub)
#   image   distribution kernel images used as real test inputs (downloaded
#           with apt-get download and unpacked into build/, never installed)
#   qemu    virtual machines for the end-to-end tests (with
#           tests/t-e2e-secureboot.sh's firmware, root file system and ESP:
#           OVMF with the snakeoil keys, mmdebstrap, the FAT/GPT/ext4 tools)
#   bench   building the bench's peers from source (bench/peers.sh: uBPF
#           with CMake, kexec-tools with autotools, linked statically) and
#           failing kexec_file_load on the host (strace -e inject)
#   deb     building and checking the Debian package (`make deb-check`)
#   kernel  building Linux 6.1 and 6.12 from Debian's linux-source-6.1 and -6.12
#   arm64   cross-building pekexec for arm64 (mk/cross.mk: Debian's arm64
#           -dev packages, multiarch; `ensure` adds the arm64 architecture
#           to dpkg first) and booting it (tests/t-e2e-arm64.sh, which
#           also fetches busybox-static:arm64 with apt-get download: it
#           cannot be installed next to the host's busybox-static)
set -eu

pkgs_build="make gcc clang llvm pkg-config libc6-dev linux-libc-dev \
libssl-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev liblzo2-dev \
libbz2-dev libelf-dev libbpf-dev bpftool libdeflate-dev"
pkgs_fuzz="clang libclang-rt-14-dev"
pkgs_test="openssl binutils time bc sbsigntool pesign osslsigncode systemd-boot-efi gzip zstd \
xz-utils lz4 lzop bzip2 cpio valgrind jq squashfs-tools device-tree-compiler"
pkgs_image="apt"
pkgs_qemu="qemu-system-x86 qemu-system-arm busybox-static cpio kexec-tools \
ovmf mmdebstrap mtools dosfstools fdisk e2fsprogs kmod sbsigntool"
pkgs_bench="cmake autoconf automake strace"
pkgs_deb="dpkg-dev debhelper fakeroot lintian kexec-tools"
pkgs_kernel="linux-source-6.1 linux-source-6.12 bc bison flex dwarves ccache \
gcc-aarch64-linux-gnu libssl-dev libelf-dev xz-utils rsync kmod patch perl"
pkgs_arm64="gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
libc6-dev:arm64 libssl-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 \
liblzma-dev:arm64 liblz4-dev:arm64 liblzo2-dev:arm64 libbz2-dev:arm64 \
libelf-dev:arm64 libbpf-dev:arm64 libdeflate-dev:arm64"

group_pkgs() {
	case "$1" in
	build) echo "$pkgs_build" ;;
	fuzz) echo "$pkgs_fuzz" ;;
	test) echo "$pkgs_test" ;;
	image) echo "$pkgs_image" ;;
	qemu) echo "$pkgs_qemu" ;;
	bench) echo "$pkgs_bench" ;;
	deb) echo "$pkgs_deb" ;;
	kernel) echo "$pkgs_kernel" ;;
	arm64) echo "$pkgs_arm64" ;;
	*) echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
	esac
}

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

cmd=${1:-}
[ $# -ge 1 ] && shift
case "$cmd" in
list)
	for g in "$@"; do group_pkgs "$g"; done | tr ' ' '\n' | sed '/^$/d' | sort -u
	;;
ensure|require)
	missing=
	for p in $(for g in "$@"; do group_pkgs "$g"; done); do
		is_installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	# packages of another architecture (NAME:ARCH) need it added to dpkg
	archs=
	for p in $missing; do
		case $p in
		*:*) a=${p#*:}
		     dpkg --print-foreign-architectures | grep -qx "$a" ||
			     case " $archs " in *" $a "*) ;; *) archs="$archs $a" ;; esac ;;
		esac
	done
	if [ "$cmd" = require ] || [ "$(id -u)" -ne 0 ]; then
		echo "pekexec needs these Debian packages:$missing" >&2
		echo "install them with:" >&2
		for a in $archs; do
			echo "  sudo dpkg --add-architecture $a" >&2
		done
		[ -n "$archs" ] && echo "  sudo apt-get update" >&2
		echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
	for a in $archs; do
		echo "deps.sh: adding the $a architecture to dpkg" >&2
		dpkg --add-architecture "$a"
	done
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || true
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2
	;;
*)
	echo "usage: scripts/deps.sh ensure|require|list GROUP..." >&2
	exit 2
	;;
esac
