#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-deb.sh - the Debian packages, as `make deb-check` checks them
# (scripts/deb-check.sh): two dpkg-buildpackage runs give byte-identical
# .debs, lintian reports no errors, and the packages install with dpkg -i
# in an overlay root where debian/tests pass and pekexec-kexec's removal
# gives kexec-tools' /sbin/kexec back.  About 1-3 minutes.
set -euo pipefail
for c in dpkg-buildpackage dh lintian; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed (scripts/deps.sh ensure deb)"; exit 77; }
done
BUILD=$BUILD "$TOP/scripts/deb-check.sh"
