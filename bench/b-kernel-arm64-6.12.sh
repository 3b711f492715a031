#!/bin/bash
# SPDX-License-Identifier: MIT
# b-kernel-arm64-6.12.sh - bench/b-kernel-arm64.sh on the 6.12 series
# (issue 17): $BUILD/kernel-6.12/arm64 (`make kernel ARCH=arm64
# KSERIES=6.12`), the same images and method; one "skipped" row without it.
KSERIES=6.12 exec bash "$TOP/bench/b-kernel-arm64.sh"
