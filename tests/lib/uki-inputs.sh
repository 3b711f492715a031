# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# uki-inputs.sh - the start of the tests that make UKIs from the real
# images (make images, make parsers).  Sourced with the commands the test
# needs:
#
#   . "$TOP/tests/lib/uki-inputs.sh" objcopy sbsign ...
#
# defines fail, skip and sha (sha256 of a file), skips (77) when a command,
# $IMAGES/vmlinuz-amd64, systemd's stub or the built uki parser is
# missing, and sets KERNEL, STUB and UKI to them.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
for c in "$@"; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
KERNEL=$IMAGES/vmlinuz-amd64
STUB=$IMAGES/linuxx64.efi.stub
UKI=$BUILD/bpf/uki.bpf
[ -f "$KERNEL" ] && [ -f "$STUB" ] || skip "no \$IMAGES/vmlinuz-amd64 or linuxx64.efi.stub"
[ -f "$UKI" ] || skip "$UKI not built (make parsers)"
