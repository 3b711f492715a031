#!/bin/sh
# SPDX-License-Identifier: MIT
#
# deps.sh - the one list of Debian packages pekexec needs, and their installer.
#
#   scripts/deps.sh ensure GROUP...   install what is missing (root), or print
#                                     the exact apt-get line and fail (non-root)
#   scripts/deps.sh list GROUP...     print the packages of GROUPs
#
# Groups:
#   build   compile the library, the tool and the BPF programs
#   test    independent oracles and data for the tests (signers, compressors,
#           systemd's UKI stub)
#   image   distribution kernel images used as real test inputs (downloaded
#           with apt-get download and unpacked into build/, never installed)
#   qemu    virtual machines for the end-to-end tests
#   kernel  building Linux 6.1 from Debian's linux-source-6.1
set -eu

pkgs_build="make gcc clang llvm pkg-config libc6-dev linux-libc-dev \
libssl-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev liblzo2-dev \
libbz2-dev libelf-dev libbpf-dev bpftool libclang-rt-14-dev libdeflate-dev"
pkgs_test="openssl binutils time bc sbsigntool pesign osslsigncode systemd-boot-efi gzip zstd \
xz-utils lz4 lzop bzip2 cpio valgrind jq"
pkgs_image="apt"
pkgs_qemu="qemu-system-x86 qemu-system-arm busybox-static cpio kexec-tools"
pkgs_kernel="linux-source-6.1 bc bison flex dwarves ccache \
gcc-aarch64-linux-gnu libssl-dev libelf-dev xz-utils rsync kmod patch perl"

group_pkgs() {
	case "$1" in
	build) echo "$pkgs_build" ;;
	test) echo "$pkgs_test" ;;
	image) echo "$pkgs_image" ;;
	qemu) echo "$pkgs_qemu" ;;
	kernel) echo "$pkgs_kernel" ;;
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
ensure)
	missing=
	for p in $(for g in "$@"; do group_pkgs "$g"; done); do
		is_installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "pekexec needs these Debian packages:$missing" >&2
		echo "install them with:" >&2
		echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || true
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2
	;;
*)
	echo "usage: scripts/deps.sh ensure|list GROUP..." >&2
	exit 2
	;;
esac
