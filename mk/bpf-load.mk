# SPDX-License-Identifier: MIT
#
# bpf-load.mk - build-time tools and test programs of the BPF loaders
# (docs/bpf-loading.md):
#
#   $(BUILD)/pk-lskel-gen        BPF ELF object -> .bpf section object
#                                (light skeleton via bpf_object__gen_loader())
#   $(BUILD)/pk-btf-dump         the executor's BTF as a raw file
#   $(BUILD)/bpf-progs/vmlinux.h bpftool's C dump of that BTF
#   $(BUILD)/bpf-progs/NAME.bpf.o    tests/bpf-progs/NAME.bpf.c, clang -target bpf
#   $(BUILD)/bpf-progs/NAME.lskel.o  its light skeleton as a .bpf object
#   $(BUILD)/bpf-progs/NAME-shuffled.*  the same built against
#                                tests/bpf-progs/vmlinux-shuffled.h (CO-RE test)

BPF_CFLAGS := -target bpf -mcpu=v3 -g -O2 -Wall -Werror
BPF_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BPF_INC := -I$(BUILD)/bpf-progs -Itests/bpf-progs \
           $(if $(BPF_MULTIARCH),-I/usr/include/$(BPF_MULTIARCH))
BPFPROG_NAMES := $(patsubst tests/bpf-progs/%.bpf.c,%,$(wildcard tests/bpf-progs/*.bpf.c))
BPFPROG_OBJS := $(BPFPROG_NAMES:%=$(BUILD)/bpf-progs/%.bpf.o) \
                $(BUILD)/bpf-progs/zboot_parser-shuffled.bpf.o
BPFPROG_LSKELS := $(BPFPROG_OBJS:.bpf.o=.lskel.o)
BPFPROG_HDRS := $(wildcard tests/bpf-progs/*.h)

$(BUILD)/pk-lskel-gen: tools/lskel-gen.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

$(BUILD)/pk-btf-dump: tools/btf-dump.c lib/bpf/load/btf-exec.c lib/bpf/load/loader.h
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ tools/btf-dump.c \
		lib/bpf/load/btf-exec.c $(PKG_LIBS)

$(BUILD)/bpf-progs/exec.btf: $(BUILD)/pk-btf-dump
	@mkdir -p $(dir $@)
	$(Q)$< $@

$(BUILD)/bpf-progs/vmlinux.h: $(BUILD)/bpf-progs/exec.btf
	@echo "  GEN     $@"
	$(Q)bpftool btf dump file $< format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf-progs/%.bpf.o: tests/bpf-progs/%.bpf.c $(BUILD)/bpf-progs/vmlinux.h $(BPFPROG_HDRS) $(FLAGS_STAMP)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_INC) -MMD -MP -c -o $@ $<

$(BUILD)/bpf-progs/%-shuffled.bpf.o: tests/bpf-progs/%.bpf.c $(BPFPROG_HDRS) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_INC) '-DVMLINUX_H="vmlinux-shuffled.h"' -MMD -MP -c -o $@ $<

$(BUILD)/bpf-progs/%.lskel.o: $(BUILD)/bpf-progs/%.bpf.o $(BUILD)/pk-lskel-gen
	@echo "  LSKEL   $@"
	$(Q)$(BUILD)/pk-lskel-gen $< $@

bpf-progs: $(BPFPROG_OBJS) $(BPFPROG_LSKELS)
.PHONY: bpf-progs

ALL_EXTRA += $(BUILD)/pk-lskel-gen
CHECK_EXTRA += $(BPFPROG_OBJS) $(BPFPROG_LSKELS)
BENCH_EXTRA += $(BPFPROG_OBJS) $(BPFPROG_LSKELS)
