# SPDX-License-Identifier: MIT
# bpf-vm.mk - the BPF sandbox's extra binaries:
#   $(BUILD)/pekexec-conformance-plugin   the conformance suite's plugin
#                                         (ASan+UBSan, like the unit tests)
#   $(BUILD)/pk-bench-interp              bench/b-interp.sh's driver

$(BUILD)/pekexec-conformance-plugin: $(BUILD)/asan/tests/conformance/plugin.o $(BUILD)/asan/libpekexec.a
	@echo "  LD-SAN  $@"
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $< $(BUILD)/asan/libpekexec.a $(PKG_LIBS)

ALL_EXTRA += $(BUILD)/pekexec-conformance-plugin
CHECK_EXTRA += $(BUILD)/pekexec-conformance-plugin

# bench/b-interp.sh's driver: optimised, against the optimised library
$(BUILD)/pk-bench-interp: bench/interp-bench.c $(BUILD)/libpekexec.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libpekexec.a $(PKG_LIBS)

BENCH_EXTRA += $(BUILD)/pk-bench-interp
