#!/bin/bash
# SPDX-License-Identifier: MIT
#
# peers.sh - build the bench's peers from source, once per commit.
#
#   bench/peers.sh ubpf          print the prefix of uBPF's built library
#                                (PREFIX/lib/libubpf.a, PREFIX/include/ubpf.h)
#   bench/peers.sh kexec-tools   print the path of a static kexec-tools
#                                `kexec` binary (runs on the host and in
#                                the bench's QEMU guest alike)
#   bench/peers.sh info NAME     print "NAME COMMIT" of the source tree
#
# Sources are never part of the clone: they are read from
# $PEKEXEC_PEER_SRC/{ubpf,kexec-tools} (default /var/cache/pekexec/src),
# either git checkouts or unpacked archives with the commit id in a file
# named .commit.  Builds go to $PEKEXEC_PEER_DIR/NAME-COMMIT (default
# /var/cache/pekexec/peers), so a new commit builds anew and an old build
# is reused.  With no source, print "SKIP: ... (how to get it)" on stderr
# and exit 77; a failed build exits 1.  docs/bench.md says how to populate
# the cache.
#
# uBPF is built with its own CMake files (Release, its defaults); the bench
# calls only its interpreter (ubpf_exec), never its JIT.  kexec-tools HEAD
# is built with its own autotools, linked statically, without Xen, LZMA and
# zstd support (the bench loads an uncompressed-initrd UKI).
set -eu
src_root=${PEKEXEC_PEER_SRC:-/var/cache/pekexec/src}
out_root=${PEKEXEC_PEER_DIR:-/var/cache/pekexec/peers}

upstream() {
	case "$1" in
	ubpf) echo https://github.com/iovisor/ubpf ;;
	kexec-tools) echo https://git.kernel.org/pub/scm/utils/kernel/kexec/kexec-tools.git ;;
	esac
}

skip() { # NAME WHY
	echo "SKIP: $1 peer: $2 (get it with: git clone $(upstream "$1") $src_root/$1;" \
		"or unpack an archive there and write its commit id to $src_root/$1/.commit;" \
		"see docs/bench.md)" >&2
	exit 77
}

# commit id of the source tree $1 of peer $2
commit_of() {
	if [ -f "$1/.commit" ]; then
		tr -d ' \n' <"$1/.commit"
	elif [ -e "$1/.git" ]; then
		git -C "$1" rev-parse HEAD
	else
		skip "$2" "$1 has neither .git nor .commit: cannot tell which commit it is"
	fi
}

build_ubpf() { # SRC DEST
	cmake -S "$1" -B "$2/build" -DCMAKE_BUILD_TYPE=Release \
		-DUBPF_SKIP_EXTERNAL=ON -DUBPF_INSTALL_GIT_HOOKS=OFF \
		-DUBPF_ENABLE_TESTS=OFF >"$2/build.log" 2>&1
	cmake --build "$2/build" -j"$(nproc)" --target ubpf >>"$2/build.log" 2>&1
	mkdir -p "$2/lib" "$2/include"
	cp "$2/build/lib/libubpf.a" "$2/lib/"
	cp "$1/vm/inc/ubpf.h" "$2/build/vm/ubpf_config.h" "$2/include/"
	rm -rf "$2/build"
}

build_kexec_tools() { # SRC DEST
	cp -a "$1" "$2/build"
	(
		cd "$2/build"
		./bootstrap
		./configure --without-xen --without-lzma --without-zstd LDFLAGS=-static
		make -j"$(nproc)"
	) >"$2/build.log" 2>&1
	mkdir -p "$2/sbin"
	cp "$2/build/build/sbin/kexec" "$2/sbin/kexec"
	rm -rf "$2/build"
}

name=${1:-}
info=false
if [ "$name" = info ]; then
	info=true
	name=${2:-}
fi
case "$name" in
ubpf) need="cmake"; result=. ;;
kexec-tools) need="autoconf aclocal autoheader"; result=sbin/kexec ;;
*) echo "usage: bench/peers.sh [info] ubpf|kexec-tools" >&2; exit 2 ;;
esac
src=$src_root/$name
[ -d "$src" ] || skip "$name" "no source tree at $src"
commit=$(commit_of "$src" "$name")
if $info; then
	echo "$name $commit"
	exit 0
fi
dest=$out_root/$name-$commit
if [ ! -e "$dest/$result" ] || [ ! -e "$dest/.done" ]; then
	for t in $need; do
		command -v "$t" >/dev/null ||
			skip "$name" "$t is missing (scripts/deps.sh ensure bench)"
	done
	mkdir -p "$out_root"
	tmp=$(mktemp -d "$out_root/.$name-$commit.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "peers.sh: building $name $commit from $src" >&2
	if ! "build_${name//-/_}" "$src" "$tmp"; then
		echo "peers.sh: building $name failed; last lines of its log:" >&2
		tail -n 20 "$tmp/build.log" >&2
		exit 1
	fi
	echo "$commit" >"$tmp/.done"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
fi
if [ "$result" = . ]; then
	echo "$dest"
else
	echo "$dest/$result"
fi
