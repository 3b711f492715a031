#!/bin/bash
# SPDX-License-Identifier: MIT
# b-interp.sh - the BPF sandbox's interpreter throughput (BPF instructions
# per second) on CPU-bound programs (adler32, collatz, checksum, memcpy, a
# branchy lexer: bench/interp-bench.c), against
#   - uBPF's interpreter, built from source by bench/peers.sh (SKIP row
#     when its source is not in the cache): the two run alternately in one
#     process, min and median of the same number of runs (>= 5), and the
#     ratio uBPF time / pekexec time of each (issue 14's goal: >= 3);
#   - the host kernel running the same instructions through
#     BPF_PROG_TEST_RUN in the same process, as configured (normally JIT)
#     and, when the JIT can be switched off, with its own interpreter - the
#     setting is restored right after each load.
# Every result is checked against an oracle (zlib's adler32, C code) by the
# driver, which fails otherwise.  The load average is printed with the
# rows: other jobs on the machine widen the gap between min and median.
set -eu
. "$TOP/bench/lib.sh"
drv="$BUILD/pk-bench-interp"
ubpf_note=
if udir=$("$TOP/bench/peers.sh" ubpf 2>"$BENCH_WORK/peers.err"); then
	make -C "$TOP" -s --no-print-directory BUILD="$BUILD" UBPF_DIR="$udir" \
		"$BUILD/pk-bench-interp-ubpf" >&2
	drv="$BUILD/pk-bench-interp-ubpf"
	ubpf_note="uBPF $(cut -c1-12 "$udir/.done") interpreter (ubpf_exec, JIT unused)"
else
	rc=$?
	cat "$BENCH_WORK/peers.err" >&2
	[ $rc = 77 ] || exit 1
	ubpf_note="no source in the cache: bench/peers.sh said SKIP, docs/bench.md"
fi
out=$("$drv")
get() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
mips() { printf '%.0f' "$(echo "$1 / $2 * 1000" | bc -l)"; }
ms() { printf '%.3f' "$(echo "$1 / 1000000" | bc -l)"; }

row "bpf interp: load average" "$(cut -d' ' -f1 /proc/loadavg)" "" \
	"1/5/15 min: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
jit=$(get kernel.jit)
case "$jit" in
always-on) jitnote="kernel JIT always on (CONFIG_BPF_JIT_ALWAYS_ON): its interpreter cannot be measured" ;;
on) jitnote="kernel JIT on" ;;
off) jitnote="kernel JIT off (bpf_jit_enable=0): the kernel row is its interpreter" ;;
*) jitnote="the kernel does not load BPF programs here" ;;
esac
for p in adler32 collatz checksum memcpy branchy; do
	case $p in
	adler32) what="Adler-32 of 64 KiB, byte by byte" ;;
	collatz) what="Collatz stopping times of 1..1599" ;;
	checksum) what="RFC 1071 checksum of 64 KiB, 16-bit loads" ;;
	memcpy) what="16 KiB copied 8 bytes at a time" ;;
	branchy) what="lexer over 1 KiB, 4-way branch chain per byte" ;;
	esac
	n=$(get $p.insns)
	runs=$(get $p.runs)
	s=$(get $p.sandbox_ns) sm=$(get $p.sandbox_med_ns)
	u=$(get $p.ubpf_ns) um=$(get $p.ubpf_med_ns)
	k=$(get $p.kernel_ns)
	ki=$(get $p.kernel_interp_ns)
	row "bpf interp $p: sandbox" "$(mips "$n" "$s")" "Minsn/s" \
		"$what; $n insns; min $(ms "$s") ms, median $(ms "$sm") ms of $runs runs"
	if [ "$u" != na ]; then
		row "bpf interp $p: uBPF interpreter" "$(mips "$n" "$u")" "Minsn/s" \
			"$ubpf_note; min $(ms "$u") ms, median $(ms "$um") ms"
		row "bpf interp $p: uBPF time / sandbox time" "$(bench_ratio "$um" "$sm")" "x" \
			"median of $runs alternating runs; of the mins: $(bench_ratio "$u" "$s")x; goal >= 3"
	else
		row "bpf interp $p: uBPF interpreter" "SKIP" "" "${ubpf_note:-no uBPF build}"
	fi
	if [ "$k" != na ]; then
		case "$jit" in off) kn="kernel interpreter" ;; *) kn="kernel JIT" ;; esac
		row "bpf interp $p: host $kn" "$(mips "$n" "$k")" "Minsn/s" \
			"sandbox is $(bench_ratio "$s" "$k")x slower (mins); $jitnote"
	else
		row "bpf interp $p: host kernel" "n/a" "" "$jitnote; or its verifier refused the program"
	fi
	if [ "$ki" != na ]; then
		row "bpf interp $p: host kernel interpreter" "$(mips "$n" "$ki")" "Minsn/s" \
			"sandbox / kernel interpreter time: $(bench_ratio "$s" "$ki")"
	elif [ "$jit" = always-on ]; then
		row "bpf interp $p: host kernel interpreter" "n/a" "" "CONFIG_BPF_JIT_ALWAYS_ON"
	fi
done

# Verifier cost on the real parser programs (mk/parsers.mk), from the
# verifier's own debug line.
for o in "$BUILD"/bpf/*.bpf.o; do
	[ -f "$o" ] || continue
	name=$(basename "$o" .bpf.o)
	line=$("$PEKEXEC" -vv bpf verify "$o" 2>&1 | grep 'debug: verifier:' | tail -n 1) || continue
	[ -n "$line" ] || continue
	insns=$(printf '%s\n' "$line" | sed -n 's/.*verifier: \([0-9]*\) instructions.*/\1/p')
	explored=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) instructions explored.*/\1/p')
	states=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9]*\) branch states.*/\1/p')
	t=$(bench_time 3 "$PEKEXEC" bpf verify "$o")
	row "bpf verify $name.bpf.o" "$explored" "insns" \
		"$insns instructions, $states branch states; pekexec bpf verify $t s"
done
