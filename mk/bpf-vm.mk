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

# The same driver, also running uBPF's interpreter: bench/b-interp.sh
# builds it with UBPF_DIR=$$(bench/peers.sh ubpf) (uBPF built from source,
# outside the clone)
$(BUILD)/pk-bench-interp-ubpf: bench/interp-bench.c $(BUILD)/libpekexec.a $(UBPF_DIR)/lib/libubpf.a
	$(if $(UBPF_DIR),,$(error UBPF_DIR is unset: bench/b-interp.sh sets it from bench/peers.sh ubpf))
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -DPK_BENCH_UBPF -I$(UBPF_DIR)/include \
		-o $@ $< $(BUILD)/libpekexec.a $(UBPF_DIR)/lib/libubpf.a $(PKG_LIBS) -lm
