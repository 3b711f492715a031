#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-kernel-6.12-vm.sh - tests/t-kernel-vm.sh on Linux 6.12 (issue 17):
# linux-source-6.12 with kernel/patches-6.12/ (kernel/build.sh into
# $BUILD/kernel-6.12), booted in QEMU with every check of tests/vm/run.sh
# except the differential against 6.1's verifier.
KSERIES=6.12 exec bash "$TOP/tests/t-kernel-vm.sh"
