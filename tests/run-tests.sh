#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-tests.sh - run every test of `make check` and print one line each, then
# "N passed, N failed, N skipped".
#
#   unit tests     $BUILD/tests/test-*   (ASan+UBSan builds of lib/**/test-*.c)
#   script tests   tests/t-*.sh          (drive build/asan/pekexec and oracles)
#   fuzz targets   $BUILD/fuzz/fuzz-*    (FUZZ_SECONDS each, seeds from
#                                         fuzz/corpus/NAME and $BUILD/fuzz-seeds/NAME)
#
# A test exits 0 (pass), 77 (skip: it must print why) or anything else (fail).
# libFuzzer's own default error exit code is 77, so fuzz targets run with
# -error_exitcode=1: a crash must never read as a skip.
# Output of failed and skipped tests is shown; all of it is in
# $BUILD/test-logs/NAME.log, which each run of NAME replaces (the directory
# is never wiped: runs of other tests on the same build dir keep theirs).
#
#   tests/run-tests.sh [--only-fuzz] [PATTERN]   PATTERN: substring of test names
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
# Per-input limit: far above any legitimate input (the slowest, a whole
# pipeline run with program verification, takes about 1 s unloaded), so a
# report means a hang, not a busy machine.
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-60}
only_fuzz=0
[ "${1:-}" = "--only-fuzz" ] && { only_fuzz=1; shift; }
pattern=${1:-}

logs="$BUILD/test-logs"
mkdir -p "$logs"
export TOP="$top" BUILD IMAGES="$BUILD/images"
export PEKEXEC="$BUILD/asan/pekexec" PEKEXEC_FAST="$BUILD/pekexec"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0 fail=0 skip=0
failed_names=()

report() { # name rc log
	local name=$1 rc=$2 log=$3
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS: $name"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1))
		echo "SKIP: $name: $(grep -m1 -i 'skip' "$log" || tail -n 1 "$log")"
	else
		fail=$((fail + 1))
		failed_names+=("$name")
		echo "FAIL: $name (exit $rc)"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

run_one() { # name cmd...
	local name=$1
	shift
	case "$name" in *"$pattern"*) ;; *) return ;; esac
	local log="$logs/$name.log" rc
	local tmp
	tmp=$(mktemp -d "$BUILD/tmp.XXXXXX")
	(cd "$tmp" && TMPDIR="$tmp" "$@") >"$log" 2>&1
	rc=$?
	rm -rf "$tmp"
	report "$name" "$rc" "$log"
}

if [ "$only_fuzz" -eq 0 ]; then
	for t in "$BUILD"/tests/test-*; do
		[ -x "$t" ] || continue
		run_one "$(basename "$t")" "$t"
	done
	for t in "$top"/tests/t-*.sh; do
		[ -f "$t" ] || continue
		run_one "$(basename "$t" .sh)" bash "$t"
	done
fi

for f in "$BUILD"/fuzz/fuzz-*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus="$BUILD/fuzz-corpus/$name"
	mkdir -p "$corpus" "$BUILD/fuzz-artifacts"
	seeds=()
	for d in "$top/fuzz/corpus/$name" "$BUILD/fuzz-seeds/$name"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	run_one "$name" "$f" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -error_exitcode=1 -timeout_exitcode=1 \
		-artifact_prefix="$BUILD/fuzz-artifacts/$name-" \
		-rss_limit_mb=2048 -print_final_stats=1 "$corpus" "${seeds[@]}"
done

echo
if [ "$fail" -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ]
