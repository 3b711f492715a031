# SPDX-License-Identifier: MIT
#
# arm64.mk - a real arm64 EFI zboot kernel and its test (docs/zboot-arm64.md):
#
#   make check-arm64    build (or reuse) tinyconfig arm64 vmlinuz.efi with
#                       gzip and zstd from linux-source-6.1 into
#                       $(BUILD)/arm64-zboot/ (tests/lib/build-arm64-zboot.sh),
#                       then run tests/t-zboot-arm64.sh on them
#
# Not part of `make check`'s own work: a cold build takes minutes (numbers in
# docs/zboot-arm64.md).  In `make check` the test runs on kernels already
# built here and skips, naming this target, when there are none.

check-arm64: deps
	$(Q)scripts/deps.sh ensure build test kernel
	$(Q)$(MAKE) --no-print-directory $(BUILD)/pekexec $(BUILD)/asan/pekexec
	$(Q)tests/lib/build-arm64-zboot.sh -b $(BUILD) gzip zstd
	$(Q)BUILD=$(BUILD) PEKEXEC_ARM64_BUILD=1 tests/run-tests.sh t-zboot-arm64

.PHONY: check-arm64
