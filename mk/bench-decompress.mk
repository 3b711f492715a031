# SPDX-License-Identifier: MIT
#
# bench-decompress.mk - the driver bench/b-decompress.sh times
# pk_decompress() with (docs/decompress.md).

$(BUILD)/bench-decompress: bench/bench-decompress.c $(BUILD)/libpekexec.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libpekexec.a $(PKG_LIBS)

BENCH_EXTRA += $(BUILD)/bench-decompress
