#!/bin/bash
# SPDX-License-Identifier: MIT
# b-interp.sh - the BPF sandbox's interpreter throughput (BPF instructions
# per second, best run) on CPU-bound programs, against the host kernel
# running the same instructions through BPF_PROG_TEST_RUN in the same
# process (bench/interp-bench.c).  The kernel is measured as configured
# (normally JIT) and, when the JIT can be switched off, with its own
# interpreter - the like-for-like comparison; the setting is restored right
# after each load.  Both results are checked against oracles (zlib's
# adler32, C code) by the driver, which fails otherwise.
set -eu
. "$TOP/bench/lib.sh"
drv="$BUILD/pk-bench-interp"
out=$("$drv")
get() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
mips() { printf '%.0f' "$(echo "$1 / $2 * 1000" | bc -l)"; }

jit=$(get kernel.jit)
case "$jit" in
always-on) jitnote="kernel JIT always on (CONFIG_BPF_JIT_ALWAYS_ON): its interpreter cannot be measured" ;;
on) jitnote="kernel JIT on" ;;
off) jitnote="kernel JIT off (bpf_jit_enable=0): the kernel row is its interpreter" ;;
*) jitnote="the kernel does not load BPF programs here" ;;
esac
for p in adler32 collatz; do
	case $p in
	adler32) what="Adler-32 of 64 KiB, byte by byte" ;;
	collatz) what="Collatz stopping times of 1..1599" ;;
	esac
	n=$(get $p.insns)
	s=$(get $p.sandbox_ns)
	k=$(get $p.kernel_ns)
	ki=$(get $p.kernel_interp_ns)
	row "bpf interp $p: sandbox" "$(mips "$n" "$s")" "Minsn/s" \
		"$what; $n insns in $(printf '%.2f' "$(echo "$s / 1000000" | bc -l)") ms"
	if [ "$k" != na ]; then
		case "$jit" in off) kn="kernel interpreter" ;; *) kn="kernel JIT" ;; esac
		row "bpf interp $p: host $kn" "$(mips "$n" "$k")" "Minsn/s" \
			"sandbox is $(bench_ratio "$s" "$k")x slower; $jitnote"
	else
		row "bpf interp $p: host kernel" "n/a" "" "$jitnote"
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
