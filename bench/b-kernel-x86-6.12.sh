#!/bin/bash
# SPDX-License-Identifier: MIT
# b-kernel-x86-6.12.sh - bench/b-kernel-x86.sh on the 6.12 series (issue
# 17): $BUILD/kernel-6.12/x86_64 (`make kernel KSERIES=6.12`), the same
# images, method and verifier counts.
KSERIES=6.12 exec bash "$TOP/bench/b-kernel-x86.sh"
