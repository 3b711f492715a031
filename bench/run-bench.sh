#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-bench.sh - `make bench`: run every bench/b-*.sh and print one table.
# Each part prints rows "name<TAB>value<TAB>unit<TAB>note"; ratios are taken
# within one run on the same bytes, so they compare like with like.
# Timings never decide pass/fail anywhere: this only reports.
#
#   bench/run-bench.sh [PART...]   only the parts bench/b-PART.sh (e.g.
#                                  `interp`, `load`; `make bench BENCH=interp`)
# A part's "SKIP: ..." lines on stderr are shown whether or not it fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
export TOP="$top" BUILD IMAGES=${IMAGES:-$BUILD/images}
export PEKEXEC="$BUILD/pekexec"
work=$(mktemp -d "${TMPDIR:-/tmp}/pekexec-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export BENCH_WORK="$work"

printf '%-52s %14s  %-8s %s\n' "benchmark" "value" "unit" "note"
printf '%-52s %14s  %-8s %s\n' "---------" "-----" "----" "----"
status=0
parts=()
if [ $# -gt 0 ]; then
	for p in "$@"; do
		[ -f "$top/bench/b-$p.sh" ] || { echo "bench: no part bench/b-$p.sh" >&2; exit 2; }
		parts+=("$top/bench/b-$p.sh")
	done
else
	parts=("$top"/bench/b-*.sh)
fi
for b in "${parts[@]}"; do
	[ -f "$b" ] || continue
	if ! bash "$b" >"$work/rows" 2>"$work/err"; then
		echo "bench: $(basename "$b") failed:" >&2
		tail -n 20 "$work/err" >&2
		status=1
	else
		grep '^SKIP:' "$work/err" >&2 || true
	fi
	while IFS=$'\t' read -r name value unit note; do
		printf '%-52s %14s  %-8s %s\n' "$name" "$value" "$unit" "$note"
	done <"$work/rows"
done
exit $status
