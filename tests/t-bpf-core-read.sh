#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-bpf-core-read.sh - a program reading struct kexec_context through
# BPF_CORE_READ / bpf_core_read (relocated addresses handed to
# bpf_probe_read_kernel), in both forms, with a user command line and
# initrd.  Oracles: the image's size (stat), the command line given, the
# initrd's first 16 bytes (head | sha256sum).
set -euo pipefail
. "$TOP/tests/lib/bpf-run.sh"

head -c 12345 /dev/urandom >img
head -c 100 /dev/urandom >initrd
for form in bpf.o lskel.o; do
	rc=0
	"$PEKEXEC" bpf run --cmdline "console=ttyS0 quiet" --initrd initrd \
		"$PROGS/core_read.$form" img >out.txt 2>err.txt || rc=$?
	[ $rc = 0 ] || { cat out.txt err.txt; fail "core_read.$form: exit $rc"; }
	grep -q "text=\"kernel_sz=12345 cmdline=console=ttyS0 quiet\"" out.txt ||
		{ cat out.txt; fail "core_read.$form: command line"; }
	[ "$(field out.txt 2 payload_sha256)" = "$(head -c 16 initrd | sha256sum | cut -d' ' -f1)" ] ||
		fail "core_read.$form: initrd bytes"
done
echo ok
