#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-multimap.sh - tests/bpf-progs/multimap.bpf.c: six maps in .maps
# (four ring buffers, two arrays; clang writes each at DATASEC offset 0),
# used through maps other than the first, as an ELF object and as a light
# skeleton (libbpf placed the maps there: the oracle for where they are).
# Oracles: the source (counts[2] incremented twice: "multimap=2"),
# sha256sum of the image for the KERNEL payload.
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"
need sha256sum head

head -c 4096 /dev/urandom >img
for prog in multimap.bpf.o multimap.lskel.o; do
	"$PEKEXEC" bpf run "$PROGS/$prog" img >out.txt 2>err.txt ||
		{ cat out.txt err.txt; fail "$prog: exit $?"; }
	[ "$(commands out.txt)" = 2 ] || { cat out.txt; fail "$prog: want 2 commands"; }
	grep -q '^command 1: COPY/CMDLINE .* text="multimap=2"$' out.txt ||
		{ cat out.txt; fail "$prog: command line"; }
	grep -q '^command 2: COPY/KERNEL ' out.txt || fail "$prog: command 2"
	[ "$(field out.txt 2 payload_sha256)" = "$(file_sha img)" ] || fail "$prog: KERNEL bytes"
done
echo "ELF and light skeleton: maps other than the first resolved"
