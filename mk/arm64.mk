# SPDX-License-Identifier: MIT
#
# arm64.mk - a real arm64 EFI zboot kernel and its test (docs/zboot-arm64.md):
#
#   make check          tests/t-zboot-arm64.sh builds (or reuses) tinyconfig
#                       arm64 vmlinuz.efi from linux-source-6.1 into
#                       $(BUILD)/arm64-zboot/: "boot" (gzip, bootable; also
#                       what t-e2e-arm64.sh kexecs) and zstd, and runs on
#                       them; the kernel packages are ensured first
#   make check-arm64    just the arm64 tests: build the kernels and the
#                       arm64 pekexec, run t-zboot-arm64 and t-e2e-arm64
#
# A cold build of both kernels takes a few minutes on 2 cores (numbers in
# docs/zboot-arm64.md); later runs reuse them while the inputs are unchanged.

CHECK_EXTRA += arm64-zboot-deps

arm64-zboot-deps:
	$(Q)scripts/deps.sh ensure kernel

check-arm64: deps arm64-zboot-deps
	$(Q)scripts/deps.sh ensure build test
	$(Q)$(MAKE) --no-print-directory $(BUILD)/pekexec $(BUILD)/asan/pekexec
	$(Q)tests/lib/build-arm64-zboot.sh -b $(BUILD) boot zstd >/dev/null
	$(Q)$(MAKE) --no-print-directory $(BUILD)/arm64/pekexec
	$(Q)BUILD=$(BUILD) tests/run-tests.sh t-zboot-arm64
	$(Q)BUILD=$(BUILD) tests/run-tests.sh t-e2e-arm64

.PHONY: arm64-zboot-deps check-arm64
