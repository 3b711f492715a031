# SPDX-License-Identifier: MIT
# bpf-vm.mk - the BPF sandbox's extra binaries:
#   $(BUILD)/pekexec-conformance-plugin   the conformance suite's plugin
#                                         (ASan+UBSan, like the unit tests)

$(BUILD)/pekexec-conformance-plugin: $(BUILD)/asan/tests/conformance/plugin.o $(BUILD)/asan/libpekexec.a
	@echo "  LD-SAN  $@"
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $< $(BUILD)/asan/libpekexec.a $(PKG_LIBS)

ALL_EXTRA += $(BUILD)/pekexec-conformance-plugin
CHECK_EXTRA += $(BUILD)/pekexec-conformance-plugin
