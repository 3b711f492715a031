#!/bin/bash
# SPDX-License-Identifier: MIT
#
# deb-check.sh - `make deb-check`: the Debian packages of debian/.
#
#   1. copy the source tree (git's tracked and unignored files) twice, to
#      $BUILD/deb/1/pekexec-V and $BUILD/deb/2/pekexec-V (different
#      paths), and run `dpkg-buildpackage -b -us -uc` in each;
#   2. reproducible: every .deb of build 1 is byte-identical (cmp) to
#      build 2's (on a difference: the differing files, via dpkg-deb);
#   3. lintian on build 1's .changes: no errors; warnings are printed;
#   4. in a throw-away root (an overlayfs over / in a private mount
#      namespace, so the host's dpkg database and /sbin/kexec are never
#      touched): dpkg -i the packages, run each test of
#      debian/tests/control, then remove pekexec-kexec and check that
#      kexec-tools' /sbin/kexec is back, byte for byte.
#
# Needs root for step 4 (skipped with a message otherwise).  Nothing here
# calls apt-get: scripts/deps.sh ensure deb build runs before (Makefile).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
out=$BUILD/deb
# the package builds alone: not the caller's make job server or flags
unset MAKEFLAGS MFLAGS MAKELEVEL
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
say() { echo "deb-check: $*"; }

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)
arch=$(dpkg --print-architecture)
rm -rf "$out"
mkdir -p "$out"

# --- 1. two builds ----------------------------------------------------------
for n in 1 2; do
	src=$out/$n/pekexec-$version
	mkdir -p "$src"
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard | while read -r f; do
			[ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -)
	else	# an unpacked source tarball: everything but the build tree
		tar -C "$top" --exclude="./${BUILD#"$top"/}" --exclude=./build -cf - .
	fi | tar -xf - -C "$src"
	start=$(date +%s)
	(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build-$n.log" 2>&1 ||
		{ tail -n 40 "$out/build-$n.log"; fail "dpkg-buildpackage (build $n), log: $out/build-$n.log"; }
	! grep -n 'apt-get' "$out/build-$n.log" | grep -v '^[0-9]*:.*deps.sh' ||
		fail "build $n mentions apt-get"
	say "build $n: $(($(date +%s) - start)) s, $(ls "$out/$n"/*.deb | wc -l) packages"
done

# --- 2. reproducible --------------------------------------------------------
debs=$(cd "$out/1" && ls *.deb)
for p in pekexec libpekexec0 libpekexec-dev pekexec-kexec; do
	echo "$debs" | grep -q "^${p}_" || fail "no $p package"
done
same=0
for d in $debs; do
	if cmp -s "$out/1/$d" "$out/2/$d"; then
		same=$((same + 1))
	else
		echo "deb-check: $d differs between the builds:" >&2
		for n in 1 2; do dpkg-deb -R "$out/$n/$d" "$out/x$n-${d%.deb}"; done
		diff -r "$out/x1-${d%.deb}" "$out/x2-${d%.deb}" | head -n 20 >&2 || true
		fail "not reproducible: $d"
	fi
done
say "reproducible: $same of $same .debs byte-identical (cmp) across two builds in different directories"

# --- 3. lintian ---------------------------------------------------------------
changes=$(ls "$out/1"/*.changes)
rc=0
lintian --fail-on error --display-level '>=warning' --tag-display-limit 0 "$changes" \
	>"$out/lintian.raw" 2>&1 || rc=$?
grep -v 'running with root privileges' "$out/lintian.raw" >"$out/lintian.log" || true
[ $rc -eq 0 ] || { cat "$out/lintian.log"; fail "lintian reports errors (exit $rc)"; }
if [ -s "$out/lintian.log" ]; then
	say "lintian: no errors; warnings:"
	sed 's/^/    /' "$out/lintian.log"
else
	say "lintian: no errors, no warnings"
fi
# overrides (debian/*.lintian-overrides say why) are shown, not hidden
lintian --show-overrides --display-level '>=warning' "$changes" 2>/dev/null | grep '^O:' |
	sed 's/^/    overridden: /' || true

# --- 4. install and test in a throw-away root --------------------------------
if [ "$(id -u)" -ne 0 ]; then
	say "SKIP install test: needs root (an overlayfs over /)"
	exit 0
fi
ov=$(mktemp -d /tmp/pekexec-deb-check.XXXXXX)
trap 'rm -rf "$ov"' EXIT
mkdir -p "$ov/upper" "$ov/work" "$ov/root"
mkdir -p "$ov/upper/tmp/pekexec-debs"
cp "$out/1"/*.deb "$ov/upper/tmp/pekexec-debs/"
cp -r "$top/debian/tests" "$ov/upper/tmp/pekexec-debs/tests"
cat >"$ov/inside.sh" <<'EOF'
set -eu
cd /tmp/pekexec-debs
orig=$(md5sum </sbin/kexec | cut -d' ' -f1)
dpkg -i ./*.deb >dpkg.log 2>&1 || { cat dpkg.log; exit 1; }

n=$(dpkg -s pekexec libpekexec0 libpekexec-dev pekexec-kexec | grep -c '^Status: install ok installed')
[ "$n" -eq 4 ] || { echo "only $n of 4 packages installed"; exit 1; }
echo "dpkg -i: pekexec libpekexec0 libpekexec-dev pekexec-kexec (+ dbgsym) installed"
# the tests of debian/tests/control, each in its own directory
for t in $(sed -n 's/^Tests: *//p' tests/control); do
	mkdir -p "/tmp/t-$t"
	AUTOPKGTEST_TMP=/tmp/t-$t sh "tests/$t" >"t-$t.log" 2>&1 || { cat "t-$t.log"; echo "debian/tests/$t failed"; exit 1; }
	tail -n 1 "t-$t.log"
done
dpkg -r pekexec-kexec >>dpkg.log 2>&1 || { cat dpkg.log; exit 1; }
[ ! -L /sbin/kexec ] && [ "$(md5sum </sbin/kexec | cut -d' ' -f1)" = "$orig" ] ||
	{ echo "removing pekexec-kexec did not restore kexec-tools' /sbin/kexec"; exit 1; }
[ -z "$(dpkg-divert --list /sbin/kexec)" ] || { echo "diversion left"; exit 1; }
echo "removed pekexec-kexec: kexec-tools' /sbin/kexec restored"
dpkg -P pekexec-dbgsym libpekexec0-dbgsym pekexec libpekexec-dev libpekexec0 >>dpkg.log 2>&1 || { cat dpkg.log; exit 1; }
[ ! -e /usr/sbin/pekexec ] && [ ! -e /etc/pekexec ] || { echo "purge left files"; exit 1; }
echo "purged"
EOF
unshare --mount --propagation private bash -c '
	set -e
	ov=$1
	mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/upper,workdir=$ov/work" "$ov/root"
	mount -t proc proc "$ov/root/proc"
	mount --rbind /dev "$ov/root/dev"
	mount -t tmpfs tmpfs "$ov/root/run"
	chroot "$ov/root" bash -s <"$ov/inside.sh"
' deb-check "$ov" >"$out/install.log" 2>&1 || { cat "$out/install.log"; fail "install test"; }
sed 's/^/    /' "$out/install.log"
say "install test passed (dpkg -i in an overlay root, debian/tests, removal)"
