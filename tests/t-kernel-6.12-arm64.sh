#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-6.12-arm64.sh - tests/t-kernel-arm64.sh on Linux 6.12 (issue 17):
# linux-source-6.12 with kernel/patches-6.12/ (KSERIES=6.12 kernel/build.sh
# arm64, into $BUILD/kernel-6.12; kernel/config/arm64-6.12.config gives it
# ftrace direct calls), booted in qemu-system-aarch64 with every check of
# the 6.1 arm64 test; root's program on the parser's anchor attaches here
# and must still never run.  docs/kernel-arm64.md, docs/kernel-6.12.md.
KSERIES=6.12 exec bash "$TOP/tests/t-kernel-arm64.sh"
