#!/bin/bash
# SPDX-License-Identifier: MIT
#
# mkseries.sh - export the series from a development tree and check it.
#
#   [KSERIES=6.1|6.12] kernel/mkseries.sh DEVTREE [BASE]
#
# DEVTREE is a git repository of the pristine linux-source-6.1 tree (commit
# BASE, default tag "base") with the series as commits on top.  The commits
# become kernel/patches/NNNN-*.patch (kernel/patches-6.12/ with KSERIES=6.12;
# git format-patch), and each patch is
# checked with the base tree's scripts/checkpatch.pl --strict.  Prints one
# "checkpatch: NAME: N errors, N warnings, N checks" line per patch.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dev=$(cd "${1:?usage: kernel/mkseries.sh DEVTREE [BASE]}" && pwd)
base=${2:-base}

case "${KSERIES:-6.1}" in
6.1) out=$top/kernel/patches ;;
6.12) out=$top/kernel/patches-6.12 ;;
*) echo "mkseries.sh: unknown KSERIES '$KSERIES'" >&2; exit 2 ;;
esac
mkdir -p "$out"
rm -f "$out"/*.patch
git -C "$dev" format-patch -q --no-signature --zero-commit -N --abbrev=9 \
	-o "$out" "$base..HEAD"
# the base tree's checkpatch (the series does not touch it)
ck=$(mktemp -d)
trap 'rm -rf "$ck"' EXIT
git -C "$dev" archive "$base" scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch | tar -x -C "$ck"
status=0
for p in "$out"/*.patch; do
	out=$(cd "$ck" && perl scripts/checkpatch.pl --strict --no-tree \
		"$p" 2>&1) || status=1
	echo "checkpatch: $(basename "$p"): $(echo "$out" | grep '^total:')"
	echo "$out" | grep -E '^(ERROR|WARNING|CHECK):' | sed 's/^/    /' || true
done
exit $status
