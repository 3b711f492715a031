#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build.sh - build Debian's Linux 6.1 or 6.12 with the CONFIG_KEXEC_BPF series.
#
#   [KSERIES=6.1|6.12] kernel/build.sh [-o OUTDIR] [-s SRCDIR] [-d] ARCH
#                                                  ARCH: x86_64 | arm64
#
#   KSERIES (default 6.1) picks the tree, /usr/src/linux-source-KSERIES.tar.xz,
#   and the series: kernel/patches/ for 6.1, kernel/patches-6.12/ for 6.12.
#   The default OUTDIR is build/kernel (6.1) or build/kernel-6.12.
#
#   -d adds kernel/config/debug.config (KASAN, lockdep, kmemleak: the soak
#   kernel, `make soak-kernel`); its default OUTDIR is build/kernel-debug.
#
#   -s SRCDIR builds an already patched tree instead (series development:
#   kernel/mkseries.sh exports its commits as kernel/patches/).
#
# 1. the pristine tree from /usr/src/linux-source-KSERIES.tar.xz is extracted
#    into OUTDIR/src and the series applied with `patch -p1`, again only
#    when the series changes (OUTDIR/src/.pekexec-patched holds its sha256);
# 2. a test signing key is generated once into OUTDIR/keys/ (its certificate
#    goes into the builtin trusted keyring, the key signs test images);
# 3. `make tinyconfig` + kernel/config/base.config + kernel/config/ARCH.config
#    (+ kernel/config/ARCH-KSERIES.config if there is one), then every
#    option of the fragments is checked to have survived;
# 4. out-of-tree build in OUTDIR/out-ARCH; the results are copied to
#    OUTDIR/ARCH/ (bzImage or Image + vmlinuz.efi, vmlinux, .config).
#
# ccache (tests/lib/ccache-env.sh) lives outside the clone, in
# /var/cache/pekexec/ccache, and every path a compiler sees is the same in
# any clone and for any series (OUTDIR/src, OUTDIR/out-ARCH, the signing
# certificate named relative to the object tree): a fresh clone, and a
# series change, recompile only what the change touches.
#
# Times of each step are printed ("time: extract 41s").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kseries=${KSERIES:-6.1}
case "$kseries" in
6.1) patches=$top/kernel/patches outdir=$top/build/kernel ;;
6.12) patches=$top/kernel/patches-6.12 outdir=$top/build/kernel-6.12 ;;
*) echo "build.sh: unknown KSERIES '$kseries' (6.1 or 6.12)" >&2; exit 2 ;;
esac
devsrc=
debug=
while [ $# -gt 1 ]; do
	case "$1" in
	-o) outdir=$2; shift 2 ;;
	-d) debug=1; [ "$outdir" != "$top/build/kernel" ] ||
		outdir="$top/build/kernel-debug"; shift ;;
	-s) devsrc=$(cd "$2" && pwd); shift 2 ;;
	*) break ;;
	esac
done
arch=${1:?usage: kernel/build.sh [-o OUTDIR] x86_64|arm64}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-$kseries.tar.xz}
jobs=${JOBS:-$(nproc)}

case "$arch" in
x86_64) karch=x86_64 cross= targets="bzImage" image=arch/x86/boot/bzImage ;;
arm64) karch=arm64 cross=aarch64-linux-gnu- targets="Image vmlinuz.efi"
	image=arch/arm64/boot/Image ;;
*) echo "build.sh: unknown ARCH '$arch' (x86_64 or arm64)" >&2; exit 2 ;;
esac

[ -r "$tarball" ] || {
	echo "build.sh: $tarball missing: scripts/deps.sh ensure kernel" >&2
	exit 1
}

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
now() { date +%s; }
timing() { echo "time: $1 $(($(now) - $2))s"; }

# The source tree is keyed by the series so that a changed patch never
# meets a tree patched with its older version.
hash=$(find "$patches" -name "*.patch" -print0 | sort -z |
	xargs -0r cat | sha256sum | cut -c1-12)
src="$outdir/src"
if [ -n "$devsrc" ]; then
	src=$devsrc
	hash=dev
elif [ "$(cat "$src/.pekexec-patched" 2>/dev/null)" != "$hash" ]; then
	t0=$(now)
	# Only the newest series is kept: each tree is 1.4 GB.  The path stays
	# the same so that ccache hits for every file the series leaves alone.
	rm -rf "$src" "$outdir"/src-*
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	timing extract "$t0"
	for p in "$patches"/*.patch; do
		[ -e "$p" ] || continue
		echo "  PATCH   $(basename "$p")"
		patch -d "$src.tmp" -p1 --batch --forward --quiet <"$p"
	done
	echo "$hash" >"$src.tmp/.pekexec-patched"
	mv "$src.tmp" "$src"
fi

# Test signing key: the certificate is compiled into the kernel's builtin
# trusted keyring; tests sign images with the key (sbsign).
keys="$outdir/keys"
if [ ! -e "$keys/test.crt" ]; then
	mkdir -p "$keys"
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=pekexec kernel test key/" \
		-addext "keyUsage=digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-keyout "$keys/test.key" -out "$keys/test.crt" 2>/dev/null
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=pekexec untrusted key/" \
		-keyout "$keys/untrusted.key" -out "$keys/untrusted.crt" 2>/dev/null
fi

out="$outdir/out-$arch"
[ -z "$devsrc" ] || out="$outdir/out-$arch-dev"
rm -rf "$outdir"/out-"$arch"-[0-9a-f]*[0-9a-f]
mkdir -p "$out"
# A new series may change Kconfig: configure again.
[ "$(cat "$out/.pekexec-series" 2>/dev/null)" = "$hash" ] ||
	rm -f "$out/fragment.config.used"
echo "$hash" >"$out/.pekexec-series"
kmake() {
	make -s -C "$src" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" HOSTCC="ccache gcc" \
		KBUILD_BUILD_USER=pekexec KBUILD_BUILD_HOST=pekexec "$@"
}
# shellcheck source=../tests/lib/ccache-env.sh
. "$top/tests/lib/ccache-env.sh"
ccache_env "$outdir"

t0=$(now)
frags=("$top/kernel/config/base.config" "$top/kernel/config/$arch.config")
# series-specific options of an architecture (arm64-6.12.config)
[ ! -e "$top/kernel/config/$arch-$kseries.config" ] ||
	frags+=("$top/kernel/config/$arch-$kseries.config")
[ -z "$debug" ] || frags+=("$top/kernel/config/debug.config")
# Named relative to the object tree: an absolute path would differ per clone
# and, through autoconf.h, change the hash of every object.
cp "$keys/test.crt" "$out/pekexec-test.crt"
printf 'CONFIG_SYSTEM_TRUSTED_KEYS="pekexec-test.crt"\n' >"$out/keys.config"
cat "${frags[@]}" "$out/keys.config" >"$out/fragment.config"
if ! cmp -s "$out/fragment.config" "$out/fragment.config.used" 2>/dev/null; then
	kmake tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$out/fragment.config" >/dev/null
	kmake olddefconfig >/dev/null
	# merge_config.sh only warns; a dropped option is an error here.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" "$out/.config" || {
			echo "build.sh: config: '$line' did not survive" \
				"(dependency missing?): $(grep "^${line%%=*}=" \
				"$out/.config" || echo unset)" >&2
			bad=1
		} ;;
		"# CONFIG_"*" is not set") ! grep -q "^${line:2:-11}=" \
			"$out/.config" || {
			echo "build.sh: config: '${line:2:-11}' should be off" >&2
			bad=1
		} ;;
		esac
	done <"$out/fragment.config"
	[ "$bad" -eq 0 ] || exit 1
	cp "$out/fragment.config" "$out/fragment.config.used"
fi
timing config "$t0"

t0=$(now)
kmake -j"$jobs" $targets
timing build "$t0"
ccache -s 2>/dev/null | grep -iE '^ *(hits|misses)|cache hit' | sed 's/^/ccache: /' || true

res="$outdir/$arch"
mkdir -p "$res"
cp "$out/$image" "$out/vmlinux" "$out/.config" "$res/"
[ "$arch" = arm64 ] && cp "$out/arch/arm64/boot/vmlinuz.efi" "$res/"
echo "$hash" >"$res/series-hash"
echo "kernel: $res/$(basename "$image") (series $hash)"
