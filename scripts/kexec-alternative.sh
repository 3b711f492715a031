#!/bin/sh
# SPDX-License-Identifier: MIT
#
# kexec-alternative.sh - make /sbin/kexec run pekexec (which then speaks
# kexec-tools' command line, tool/kexec-compat.c), or undo it.  Opt-in only:
# `make install-kexec-alternative`, or the Debian package pekexec-kexec.
# Installed as PKGLIBDIR/kexec-alternative.
#
#   kexec-alternative.sh install [--root DIR] [--package PKG] PEKEXEC
#   kexec-alternative.sh remove  [--root DIR] [--package PKG] PEKEXEC
#
# install: kexec-tools' /sbin/kexec is diverted (dpkg-divert --rename) to
# /sbin/kexec.kexec-tools, so that its upgrades land there and never
# overwrite our link; then an update-alternatives group "kexec" gets both
# (kexec-tools priority 10, PEKEXEC 50: auto mode picks pekexec;
# `update-alternatives --config kexec` switches back).
# remove: drops both alternatives (the link /sbin/kexec goes with the last)
# and the diversion, which renames kexec-tools' binary back to /sbin/kexec.
# --root DIR: work on a system image at DIR (tests, DESTDIR);
# --package PKG: the diversion belongs to PKG (maintainer scripts), else it
# is a local one.
set -eu

KEXEC=/sbin/kexec
DIVERTED=/sbin/kexec.kexec-tools
PRIO_KEXEC_TOOLS=10
PRIO_PEKEXEC=50

usage() {
	echo "usage: $0 install|remove [--root DIR] [--package PKG] PEKEXEC" >&2
	exit 2
}

[ $# -ge 1 ] || usage
op=$1
shift
root=
pkg=
while [ $# -gt 1 ]; do
	case $1 in
	--root) root=$2; shift 2 ;;
	--package) pkg=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ $# -eq 1 ] || usage
pekexec=$1

for tool in dpkg-divert update-alternatives; do
	command -v $tool >/dev/null || {
		echo "$0: $tool not found: this needs a dpkg-based system" >&2
		echo "(elsewhere: ln -s $pekexec /usr/local/sbin/kexec, earlier in PATH)" >&2
		exit 1
	}
done

ua() { update-alternatives ${root:+--root "$root"} "$@"; }
divert() {
	if [ -n "$pkg" ]; then
		dpkg-divert ${root:+--root "$root"} --package "$pkg" "$@"
	else
		dpkg-divert ${root:+--root "$root"} --local "$@"
	fi
}
registered() { ua --list kexec 2>/dev/null | grep -qx "$1"; }

case $op in
install)
	[ -x "$root$pekexec" ] || { echo "$0: $root$pekexec: not installed" >&2; exit 1; }
	# a /sbin/kexec that is neither kexec-tools' nor our link: not ours to move
	if [ -e "$root$KEXEC" ] && [ ! -L "$root$KEXEC" ] &&
	   [ "$(dpkg-divert ${root:+--root "$root"} --truename $KEXEC)" = "$KEXEC" ]; then
		divert --rename --divert $DIVERTED --add $KEXEC
	elif [ ! -e "$root$KEXEC" ] && [ ! -L "$root$KEXEC" ]; then
		divert --rename --divert $DIVERTED --add $KEXEC
	fi
	[ ! -e "$root$DIVERTED" ] || ua --install $KEXEC kexec $DIVERTED $PRIO_KEXEC_TOOLS
	ua --install $KEXEC kexec "$pekexec" $PRIO_PEKEXEC
	;;
remove)
	! registered "$pekexec" || ua --remove kexec "$pekexec"
	! registered $DIVERTED || ua --remove kexec $DIVERTED
	if dpkg-divert ${root:+--root "$root"} --list "$KEXEC" | grep -q .; then
		divert --rename --divert $DIVERTED --remove $KEXEC
	fi
	;;
*)
	usage
	;;
esac
