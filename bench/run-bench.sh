#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-bench.sh - `make bench`: run every bench/b-*.sh and print one table.
# Each part prints rows "name<TAB>value<TAB>unit<TAB>note"; ratios are taken
# within one run on the same bytes, so they compare like with like.
# Timings never decide pass/fail anywhere: this only reports.
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
for b in "$top"/bench/b-*.sh; do
	[ -f "$b" ] || continue
	if ! bash "$b" >"$work/rows" 2>"$work/err"; then
		echo "bench: $(basename "$b") failed:" >&2
		tail -n 20 "$work/err" >&2
		status=1
	fi
	while IFS=$'\t' read -r name value unit note; do
		printf '%-52s %14s  %-8s %s\n' "$name" "$value" "$unit" "$note"
	done <"$work/rows"
done
exit $status
