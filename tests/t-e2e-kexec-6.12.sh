#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-e2e-kexec-6.12.sh - tests/t-e2e-kexec.sh on Debian's stock 6.12 kernel
# (issue 17): $IMAGES/vmlinuz-amd64-6.12, the newest
# linux-image-6.12.N+debM-amd64 of the archive (scripts/fetch-images.sh),
# is the first kernel and the UKI's .linux; every check is the same.
E2E_KERNEL=$IMAGES/vmlinuz-amd64-6.12 exec bash "$TOP/tests/t-e2e-kexec.sh"
