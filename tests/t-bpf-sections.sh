#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-sections.sh - tests/bpf-progs/sections.bpf.c (.rodata table and
# string, .data counters, .bss, static and global subprograms, COPY
# commands) as an ELF object and as a light skeleton, on random images.
# Oracles: the source's arithmetic (sum of the .rodata weights plus the
# .data bias; .data call counter) for the command line, sha256sum / head
# for the INITRD and KERNEL payloads.  Maps keep their state between runs
# in the kernel; here every run loads afresh, so the counters restart.
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"
need sha256sum head

for size in 64 4096 1000003; do
	head -c $size /dev/urandom >img
	for prog in sections.bpf.o sections.lskel.o; do
		"$PEKEXEC" bpf run "$PROGS/$prog" img >out.txt 2>err.txt ||
			{ cat out.txt err.txt; fail "$prog, $size bytes: exit $?"; }
		[ "$(commands out.txt)" = 3 ] || { cat out.txt; fail "$prog: want 3 commands"; }
		grep -q '^command 1: COPY/CMDLINE .* text="pekexec.test=1 sum=136 calls=45"$' out.txt ||
			{ cat out.txt; fail "$prog: command line"; }
		grep -q '^command 2: COPY/INITRD ' out.txt || fail "$prog: command 2"
		[ "$(field out.txt 2 payload_sha256)" = "$(head -c 64 img | sha256sum | cut -d' ' -f1)" ] ||
			fail "$prog: INITRD is not the image's first 64 bytes"
		grep -q '^command 3: COPY/KERNEL ' out.txt || fail "$prog: command 3"
		[ "$(field out.txt 3 payload_len)" = $size ] || fail "$prog: KERNEL size"
		[ "$(field out.txt 3 payload_sha256)" = "$(file_sha img)" ] || fail "$prog: KERNEL bytes"
	done
done
echo "3 image sizes x 2 forms: command line, initrd and kernel as expected"

# --trace: one line per executed instruction on stderr (as many as the run
# counted), source lines interleaved, starting at instruction 0 on the
# BPF_PROG line; stdout unchanged
head -c 4096 /dev/urandom >img
"$PEKEXEC" bpf run "$PROGS/sections.bpf.o" img >plain.txt
"$PEKEXEC" bpf run --trace "$PROGS/sections.bpf.o" img >out.txt 2>trace.txt
cmp -s plain.txt out.txt || fail "--trace changed stdout"
n=$(grep -c '^ *[0-9][0-9]*: [0-9a-f][0-9a-f] dst=r' trace.txt)
[ "$n" = "$(sed -n 's/^result: .* insns=\([0-9]*\).*/\1/p' out.txt)" ] ||
	fail "--trace: $n instructions traced, run says otherwise"
head -n 2 trace.txt | grep -q '^; sections.bpf.c:[0-9]*: int BPF_PROG(parse_sections' ||
	fail "--trace: first source line"
sed -n 2p trace.txt | grep -q '^    0: ' || fail "--trace: does not start at instruction 0"
echo "--trace: $n instructions"

# too small for the program: it issues nothing
head -c 63 /dev/urandom >small
"$PEKEXEC" bpf run "$PROGS/sections.lskel.o" small >out.txt
[ "$(commands out.txt)" = 0 ] || fail "63-byte image: commands issued"
echo ok
