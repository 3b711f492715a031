# SPDX-License-Identifier: MIT
#
# kernel.mk - the CONFIG_KEXEC_BPF kernel series (docs/kernel.md):
#
#   make kernel ARCH=x86_64|arm64   extract linux-source-6.1, apply
#                                   kernel/patches/, configure, build into
#                                   $(BUILD)/kernel/ARCH/
#   make check-kernel               boot the x86_64 kernel in QEMU (TCG) and
#                                   run the kexec tests (tests/vm/run.sh)
#
# Neither is part of `make check` (a kernel build and a TCG boot take
# minutes; see docs/kernel.md for timings).

KERNEL_ARCH := $(if $(filter arm64 aarch64,$(ARCH)),arm64,x86_64)

kernel:
	$(Q)scripts/deps.sh ensure kernel
	$(Q)kernel/build.sh -o $(BUILD)/kernel $(KERNEL_ARCH)

check-kernel:
	$(Q)scripts/deps.sh ensure build test kernel qemu
	$(Q)BUILD=$(BUILD) KERNEL_DIR=$(BUILD)/kernel tests/vm/run.sh

.PHONY: kernel check-kernel
