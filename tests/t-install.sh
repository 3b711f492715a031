#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-install.sh - `make install` / `make uninstall` into a temporary DESTDIR
# (mk/install.mk), checked against independent oracles:
#   - the exported symbols of libpekexec.so (nm -D) are exactly the
#     functions the public headers declare (gcc -aux-info parses them) and
#     the list in lib/libpekexec.map; SONAME by readelf;
#   - a small program built against the installed headers with
#     `pkg-config --cflags --libs pekexec` (and `--static`, linked -static)
#     runs and agrees with sha256sum and objcopy;
#   - the installed parser files are the bytes objcopy finds in the .bpf
#     section of a UKI that build-uki made;
#   - the installed tool, the consumer and the bash completion work with
#     the source and build tree hidden (a tmpfs over $TOP in a private
#     mount namespace), and the binaries do not name the build tree;
#   - debian/control's Build-Depends cover scripts/deps.sh's build group;
#   - make uninstall leaves exactly the files that were there before (a
#     certificate the admin put in trust.d stays), and
#     install-kexec-alternative diverts a fake kexec-tools /sbin/kexec in a
#     fake dpkg root and uninstall-kexec-alternative restores it.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# grep reading all its input: `cmd | grep -q` may kill cmd with SIGPIPE (pipefail)
has() { grep "$@" >/dev/null; }
for c in cc pkg-config nm readelf objcopy sha256sum unshare; do
	command -v $c >/dev/null || skip "$c not installed"
done

mk() { make -s -C "$TOP" --no-print-directory BUILD="$BUILD" "$@"; }
so=$(ls "$BUILD"/libpekexec.so.*.* 2>/dev/null | head -n1)
[ -n "$so" ] || fail "no $BUILD/libpekexec.so.*.* (make builds it)"

# --- the ABI: nm -D == headers == lib/libpekexec.map ----------------------
for h in "$TOP"/include/pekexec/*.h; do echo "#include \"$h\""; done >hdrs.c
cc -std=c11 -aux-info hdrs.aux -fsyntax-only hdrs.c
grep '/include/pekexec/' hdrs.aux | grep -v '\bstatic\b' |
	sed -n 's/.*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*/\1/p' | sort -u >want.syms
[ "$(wc -l <want.syms)" -gt 20 ] || fail "only $(wc -l <want.syms) functions parsed from the headers"
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u >got.syms
sed -n 's/^[[:space:]]*\(pk_[a-z0-9_]*\);$/\1/p' "$TOP/lib/libpekexec.map" | sort -u >map.syms
diff -u want.syms got.syms || fail "libpekexec.so exports differ from include/pekexec/*.h (- header only, + .so only)"
diff -u want.syms map.syms || fail "lib/libpekexec.map differs from include/pekexec/*.h"
grep -qv '^pk_' got.syms && fail "non-pk_ symbols exported: $(grep -v '^pk_' got.syms | tr '\n' ' ')"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libpekexec.so.0 ] || fail "SONAME '$soname'"
echo "ABI: $(wc -l <got.syms) functions exported, as declared; SONAME $soname"

# --- debian/control builds with what `make` requires ------------------------
# scripts/deps.sh's build group, less build-essential, must be Build-Depends:
# else dpkg-buildpackage passes its check and `make` stops on a missing one.
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$TOP/debian/control" | tr ',' '\n' |
	sed 's/Build-Depends://; s/[(<].*//; s/[[:space:]]//g' | sed '/^$/d' | sort -u)
for p in $("$TOP/scripts/deps.sh" list build); do
	case $p in make|gcc|libc6-dev) continue ;; esac
	printf '%s\n' "$bdeps" | has -x "$p" || fail "$p (scripts/deps.sh build) is not in debian/control's Build-Depends"
done

# --- install --------------------------------------------------------------
# DESTDIR outside $TOP, so that hiding $TOP below leaves it visible
D=$(mktemp -d /tmp/pekexec-t-install.XXXXXX)
R=$(mktemp -d /tmp/pekexec-t-kexec-alt.XXXXXX)
trap 'rm -rf "$D" "$R"' EXIT
mkdir -p "$D/usr/local/lib" "$D/etc"
echo unrelated >"$D/usr/local/lib/other.so"
listing() { (cd "$1" && find . \( -type f -o -type l \) | sort); }
listing "$D" >before.files

mk install DESTDIR="$D"
listing "$D" >installed.files
ma=$(cc -print-multiarch)
libdir=/usr/local/lib${ma:+/$ma}
nhdr=$(ls "$TOP"/include/pekexec/*.h | wc -l)
for f in /usr/local/sbin/pekexec $libdir/libpekexec.so $libdir/libpekexec.so.0 \
	 $libdir/libpekexec.a $libdir/pkgconfig/pekexec.pc \
	 /usr/local/include/pekexec/ctx.h /usr/local/include/kexec_bpf/kexec_bpf.h \
	 /usr/local/share/man/man8/pekexec.8 /usr/local/lib/pekexec/parsers/uki.bpf \
	 /usr/local/lib/pekexec/parsers/zboot.bpf /usr/local/lib/pekexec/kexec-alternative \
	 /usr/local/share/bash-completion/completions/pekexec; do
	[ -e "$D$f" ] || fail "$f not installed"
done
[ "$(ls "$D/usr/local/include/pekexec" | wc -l)" -eq "$nhdr" ] || fail "not all $nhdr headers installed"
[ -d "$D/etc/pekexec/trust.d" ] && [ -z "$(ls -A "$D/etc/pekexec/trust.d")" ] ||
	fail "no empty /etc/pekexec/trust.d"
[ -x "$D/usr/local/sbin/pekexec" ] || fail "pekexec not executable"
echo "installed $(($(wc -l <installed.files) - $(wc -l <before.files))) files"

# --- parser files: the bytes build-uki puts in .bpf ------------------------
head -c 4097 /dev/urandom >kernel
"$PEKEXEC_FAST" build-uki --stub builtin --linux kernel --cmdline "root=/dev/vda" -o uki.efi
objcopy -O binary --only-section=.bpf uki.efi uki.sec
cmp uki.sec "$D/usr/local/lib/pekexec/parsers/uki.bpf" || fail "installed uki.bpf is not build-uki's .bpf"
"$PEKEXEC_FAST" add-bpf --parser zboot uki.efi zb.efi 2>/dev/null
objcopy -O binary --only-section=.bpf zb.efi zb.sec
cmp zb.sec "$D/usr/local/lib/pekexec/parsers/zboot.bpf" || fail "installed zboot.bpf is not add-bpf's .bpf"

# --- a consumer of the installed library ------------------------------------
cat >consumer.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <pekexec/ctx.h>
#include <pekexec/hash.h>
#include <pekexec/file.h>
#include <pekexec/pe.h>
#include <kexec_bpf/kexec_bpf.h>

int main(int argc, char **argv)
{
	struct pk_ctx *ctx = pk_ctx_new();
	struct pk_file f = { 0 };
	struct pk_pe pe;
	uint8_t md[32];
	int r, i;

	if (!ctx || argc != 2)
		return 2;
	r = pk_file_open(ctx, argv[1], (size_t)1 << 30, &f);
	if (r < 0) {
		fprintf(stderr, "open: %s\n", pk_ctx_errmsg(ctx));
		return 1;
	}
	pk_sha256(f.data, f.len, md);
	for (i = 0; i < 32; i++)
		printf("%02x", md[i]);
	r = pk_pe_parse(ctx, f.data, f.len, &pe);
	printf(" %s:%s\n", KEXEC_BPF_SECTION,
	       r == 0 && pk_pe_find_section(&pe, KEXEC_BPF_SECTION) ? "yes" : "no");
	pk_file_close(&f);
	pk_ctx_free(ctx);
	return r < 0;
}
EOF
grep -q 'pk_file_open' "$TOP/include/pekexec/file.h" && grep -q 'pk_pe_parse' "$TOP/include/pekexec/pe.h" ||
	fail "consumer.c uses functions the headers no longer have"
export PKG_CONFIG_PATH="$D$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
cflags=$(pkg-config --cflags pekexec)
libs=$(pkg-config --libs pekexec)
case " $cflags " in *" -I$D/usr/local/include "*) ;; *) fail "pkg-config --cflags: '$cflags'" ;; esac
cc -std=c11 -Wall -Wextra -Werror consumer.c -o consumer $cflags $libs 2>cc.log ||
	{ cat cc.log; fail "consumer does not build against the installed headers"; }
LD_LIBRARY_PATH="$D$libdir" ldd ./consumer | has "libpekexec.so.0 => $D$libdir/libpekexec.so.0" ||
	fail "consumer not linked to the installed libpekexec.so.0: $(LD_LIBRARY_PATH="$D$libdir" ldd ./consumer)"
want="$(sha256sum uki.efi | cut -d' ' -f1) .bpf:yes"
got=$(LD_LIBRARY_PATH="$D$libdir" ./consumer uki.efi)
[ "$got" = "$want" ] || fail "consumer printed '$got', sha256sum/objcopy say '$want'"
# --static: every library pkg-config names, linked -static
cc -std=c11 -static consumer.c -o consumer-static $cflags $(pkg-config --static --libs pekexec) \
	2>cc-static.log || { cat cc-static.log; fail "static consumer does not link from pkg-config --static"; }
readelf -d consumer-static 2>/dev/null | has NEEDED && fail "consumer-static is dynamic"
[ "$(./consumer-static uki.efi)" = "$want" ] || fail "static consumer disagrees"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
echo "consumer: built with pkg-config (shared and --static), prints what sha256sum says"

# --- with the build tree out of sight -----------------------------------------
for b in "$D/usr/local/sbin/pekexec" "$D$libdir/libpekexec.so.0"; do
	! grep -qF "$TOP" "$b" || fail "$b names the build tree $TOP"
done
cat >hidden.sh <<EOF
set -e
mount -t tmpfs none "$TOP"
[ ! -e "$TOP/Makefile" ]
cd /
"$D/usr/local/sbin/pekexec" --version
"$D/usr/local/sbin/pekexec" extract --verify off -o "$D/out" "$TMPDIR/uki.efi" >/dev/null
cmp "$D/out/kernel" "$TMPDIR/kernel"
LD_LIBRARY_PATH="$D$libdir" "$TMPDIR/consumer" "$TMPDIR/uki.efi"
PATH="$D/usr/local/sbin:\$PATH" bash -c '. "$D/usr/local/share/bash-completion/completions/pekexec"
	COMP_WORDS=(pekexec bu); COMP_CWORD=1; _pekexec; echo "\${COMPREPLY[*]}"
	COMP_WORDS=(pekexec extract --tr); COMP_CWORD=2; _pekexec; echo "\${COMPREPLY[*]}"'
EOF
# $TMPDIR lives under $BUILD: copy what the hidden run needs next to DESTDIR
mkdir -p "$D/t" && cp uki.efi kernel consumer "$D/t/"
sed -i "s#$TMPDIR/#$D/t/#g" hidden.sh
out=$(unshare --mount --propagation private bash hidden.sh 2>&1) || { echo "$out"; fail "installed tools fail with the tree hidden"; }
rm -rf "$D/t" "$D/out"
echo "$out" | sed 's/^/  hidden tree: /'
[ "$(echo "$out" | sed -n 1p)" = "pekexec $(sed -n 's/^VERSION *:= *//p' "$TOP/mk/install.mk")" ] ||
	fail "--version is not mk/install.mk's VERSION"
echo "$out" | has -x "$want" || fail "consumer with hidden tree"
echo "$out" | has -x 'build-uki build-zboot' || fail "bash completion of verbs"
echo "$out" | has -x -- '--trust' || fail "bash completion of options"

# --- kexec alternative in a fake dpkg root ------------------------------------
if command -v dpkg-divert >/dev/null && command -v update-alternatives >/dev/null; then
	mk install DESTDIR="$R"
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/alternatives" "$R/etc/alternatives" "$R/sbin"
	touch "$R/var/lib/dpkg/status"
	printf '#!/bin/sh\necho kexec-tools\n' >"$R/sbin/kexec"
	chmod 755 "$R/sbin/kexec"
	cp "$R/sbin/kexec" kexec.orig
	mk install-kexec-alternative DESTDIR="$R" >alt.log
	[ "$(readlink "$R/sbin/kexec")" = /etc/alternatives/kexec ] &&
		[ "$(readlink "$R/etc/alternatives/kexec")" = /usr/local/sbin/pekexec ] ||
		fail "/sbin/kexec is not pekexec through the alternatives: $(ls -l "$R/sbin")"
	cmp kexec.orig "$R/sbin/kexec.kexec-tools" || fail "kexec-tools' kexec not kept as /sbin/kexec.kexec-tools"
	dpkg-divert --root "$R" --list | has '/sbin/kexec to /sbin/kexec.kexec-tools' || fail "no diversion"
	update-alternatives --root "$R" --list kexec | has -x /sbin/kexec.kexec-tools ||
		fail "kexec-tools not an alternative"
	mk uninstall DESTDIR="$R" >>alt.log 2>&1 && fail "make uninstall removed pekexec while /sbin/kexec points at it"
	[ -x "$R/usr/local/sbin/pekexec" ] || fail "refused uninstall removed pekexec"
	mk uninstall-kexec-alternative DESTDIR="$R" >>alt.log
	[ -f "$R/sbin/kexec" ] && [ ! -L "$R/sbin/kexec" ] && cmp kexec.orig "$R/sbin/kexec" ||
		fail "uninstall-kexec-alternative did not restore kexec-tools' /sbin/kexec"
	[ ! -e "$R/sbin/kexec.kexec-tools" ] || fail "diverted copy left behind"
	[ -z "$(dpkg-divert --root "$R" --list)" ] || fail "diversion left: $(dpkg-divert --root "$R" --list)"
	echo "kexec alternative: diverted, linked, restored"
else
	echo "kexec alternative: not checked (no dpkg-divert/update-alternatives)"
fi

# --- uninstall ----------------------------------------------------------------
mk uninstall DESTDIR="$D"
listing "$D" >after.files
diff -u before.files after.files || fail "uninstall did not remove exactly what install put"
for d in /etc/pekexec /usr/local/include/pekexec /usr/local/include/kexec_bpf /usr/local/lib/pekexec; do
	[ ! -e "$D$d" ] || fail "$d left behind"
done
# an admin's trust anchor survives an uninstall
mk install DESTDIR="$D"
echo cert >"$D/etc/pekexec/trust.d/db.crt"
mk uninstall DESTDIR="$D"
[ -f "$D/etc/pekexec/trust.d/db.crt" ] || fail "uninstall removed a file it did not install"
listing "$D" | grep -v '^./etc/pekexec/trust.d/db.crt$' | diff -u before.files - ||
	fail "second uninstall left files"
echo "uninstall: removed exactly the $(($(wc -l <installed.files) - $(wc -l <before.files))) installed files; trust.d/db.crt kept"
