#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-esp-detect-vfat.sh - t-esp-detect.sh's vfat case: without --esp, a UKI
# on a loop-mounted vfat file system with EFI/ is found on its ESP (no
# SYSTEMD_RELAX_ESP_CHECKS).  SKIP (exit 77, with the reason) where the
# kernel cannot mount vfat, so that the summary says it was not tested.
exec bash "$TOP/tests/t-esp-detect.sh" vfat
